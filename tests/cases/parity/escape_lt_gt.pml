<poml>
  <p>Use #lt;div#gt; for blocks.</p>
</poml>
