<poml>
  <p for="n in names">Hello {{ n }}.</p>
</poml>
