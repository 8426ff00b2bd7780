<poml>
  <!ELEMENT p ANY>
  <p>text</p>
</poml>
