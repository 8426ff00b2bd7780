<poml>
  <list>
    <item><p>First para of item one.</p><p>Second para.</p></item>
    <item>Item two.</item>
  </list>
</poml>
