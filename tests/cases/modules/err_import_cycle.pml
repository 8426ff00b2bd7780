<poml>
  <import src="lib/cycle_a.poml"/>
  <use module="one"/>
</poml>
