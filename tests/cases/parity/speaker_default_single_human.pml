<poml>
  <p>Only one paragraph, no speakers.</p>
  <p>Another one.</p>
</poml>
