<poml>
  <list listStyle="decimal">
    <item>First</item>
    <item>Second</item>
  </list>
</poml>
