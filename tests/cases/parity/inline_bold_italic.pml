<poml>
  <p>This is <b>bold</b> and <i>italic</i> text.</p>
</poml>
