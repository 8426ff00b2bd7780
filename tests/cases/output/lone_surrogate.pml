<poml>
  <p>before {{ v }} after</p>
  <cp caption="{{ v }}">x</cp>
</poml>
