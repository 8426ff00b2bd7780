<poml>
  <cp caption="Outer">
    <h>Inner header</h>
    <p>Text.</p>
  </cp>
</poml>
