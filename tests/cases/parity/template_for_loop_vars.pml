<poml>
  <list>
    <item for="n in names">{{ loop.index }} of {{ loop.length }}: {{ n }}</item>
  </list>
</poml>
