<poml>
  <import src="files/latin1.poml" as="lib"/>
</poml>
