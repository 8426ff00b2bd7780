<poml>
  <include src="include_cycle.pml"/>
</poml>
