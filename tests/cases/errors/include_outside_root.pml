<poml>
  <include src="../parity/br_basic.pml"/>
</poml>
