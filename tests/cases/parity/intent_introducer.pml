<poml>
  <introducer>Here are the details you need.</introducer>
  <p>Detail one.</p>
</poml>
