<poml>
  <import src="lib/nowhere.poml" as="n"/>
  <use module="n.thing"/>
</poml>
