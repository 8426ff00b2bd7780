<poml>
  <p>See <b><code>config.yaml</code></b> and <i>the <code>docs</code> folder</i>.</p>
</poml>
