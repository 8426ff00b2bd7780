<poml>
  <list listStyle="decimal">
    <item for="x in items">{{ x }}</item>
  </list>
</poml>
