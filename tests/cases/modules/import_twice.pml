<poml>
  <import src="lib/kit.poml"/>
  <import src="lib/kit.poml"/>
  <use module="intro"/>
</poml>
