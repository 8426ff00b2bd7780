<poml>
  <text>Plain <b>strong</b> and <code>mono</code> inside text.</text>
</poml>
