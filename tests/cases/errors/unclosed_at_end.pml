<poml>
  <list>
    <item>one</item>
