<poml>
  <import src="lib/outer.poml" as="o"/>
  <import src="lib/kit.poml" as="k2"/>
  <use module="o.welcome" guest="Ada"/>
  <use module="o.desk.welcome" guest="Bo"/>
  <use module="k2.intro"/>
</poml>
