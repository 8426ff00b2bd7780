<poml>
  <import src="lib/outer.poml" as="o"/>
  <use module="k.intro"/>
</poml>
