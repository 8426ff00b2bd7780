<poml>
  <p>a<br/><br/>b</p>
</poml>
