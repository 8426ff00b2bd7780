<poml>
  <p>B</p>
  <include src="cycle_a.pml"/>
</poml>
