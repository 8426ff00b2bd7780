<poml>
  <p>Before <span whiteSpace="pre">a   b</span> after.</p>
</poml>
