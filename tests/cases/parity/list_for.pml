<poml>
  <list listStyle="decimal">
    <item for="f in fruits">{{ f }}</item>
  </list>
</poml>
