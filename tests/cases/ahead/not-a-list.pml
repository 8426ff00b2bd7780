<poml>
  <list>
    <item for="x in items">{{ x }}</item>
  </list>
</poml>
