<poml syntax="json">
  <item>a</item>
  <item>b</item>
</poml>
