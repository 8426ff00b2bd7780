<poml>
  <cp caption="Sheet">from the stylesheet</cp>
  <cp caption="Inline" captionStyle="header">from the attribute</cp>
</poml>
