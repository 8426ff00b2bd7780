<poml>
  <p>A <b>bold <i>and italic</i> run</b> here.</p>
</poml>
