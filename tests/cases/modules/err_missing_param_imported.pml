<poml>
  <import src="lib/kit.poml" as="k"/>
  <use module="k.rules"/>
</poml>
