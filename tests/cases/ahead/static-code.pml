<poml>
  <p>Run this:</p>
  <code lang="sh">make test</code>
  <p>Then tell {{ name }} the result.</p>
</poml>
