<poml>
  <b>first</b>
  <meta components="-b"/>
  <b>second</b>
</poml>
