<poml>
  <p>Markdown paragraph.</p>
  <text syntax="text">raw   text
  second line</text>
</poml>
