<poml>
  <p>Data:</p>
  <table syntax="csv"/>
</poml>
