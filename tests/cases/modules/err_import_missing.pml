<poml>
  <import src="lib/nowhere.poml" as="n"/>
  <p>Hello.</p>
</poml>
