<poml>
  <include src="missing.pml"/>
</poml>
