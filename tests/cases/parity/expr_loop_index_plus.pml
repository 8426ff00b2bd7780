<poml>
  <p for="q in qs">Q{{ loop.index + 1 }}: {{ q }}</p>
</poml>
