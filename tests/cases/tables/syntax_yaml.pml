<poml>
  <p>Rows:</p>
  <table records="{{ rows }}" syntax="yaml"/>
</poml>
