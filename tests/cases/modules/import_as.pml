<poml>
  <import src="lib/kit.poml" as="k"/>
  <use module="k.intro" who="Ada"/>
  <use module="k.kit.rules" lang="Dutch"/>
</poml>
