<poml>
  <p>A</p>
  <include src="cycle_b.pml"/>
</poml>
