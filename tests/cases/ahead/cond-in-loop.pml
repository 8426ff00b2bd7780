<poml>
  <list>
    <item for="x in items" if="x.show">{{ x.name }}</item>
  </list>
</poml>
