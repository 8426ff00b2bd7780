<poml>
  <cp caption="{{ title }}">x</cp>
</poml>
