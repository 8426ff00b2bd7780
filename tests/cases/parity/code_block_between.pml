<poml>
  <p>Fix this:</p>
  <code inline="false" lang="js">let x = 1</code>
  <p>Thanks.</p>
</poml>
