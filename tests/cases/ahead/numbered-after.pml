<poml>
  <list listStyle="decimal">
    <item for="s in steps">{{ s }}</item>
    <item>Then stop.</item>
  </list>
</poml>
