<poml>
  <import src="lib/kit.poml"/>
  <use module="intro"/>
  <use module="kit.rules" lang="French"/>
</poml>
