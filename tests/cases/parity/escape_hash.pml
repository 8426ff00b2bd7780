<poml>
  <p>Issue #hash;42 and #hash;lt; literally.</p>
</poml>
