<poml>
  <p>Line one<br/>Line two</p>
</poml>
