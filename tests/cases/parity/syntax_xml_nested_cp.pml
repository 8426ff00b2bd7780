<poml syntax="xml">
  <cp caption="Outer">
    <cp caption="Inner">text</cp>
  </cp>
</poml>
