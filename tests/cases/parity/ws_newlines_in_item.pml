<poml>
  <list>
    <item>First item
      continues here</item>
    <item>
      Second item
    </item>
  </list>
</poml>
