<poml>
  <p><b>Note:</b><i>read this</i>.</p>
</poml>
