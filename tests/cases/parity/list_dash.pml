<poml>
  <list>
    <item>Apples</item>
    <item>Bananas</item>
    <item>Cherries</item>
  </list>
</poml>
