<poml>
  <p whiteSpace="pre">keep   these
    spaces
and lines</p>
</poml>
