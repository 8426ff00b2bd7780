<poml>
  <p>Rows:</p>
  <table records="{{ rows }}" syntax="text"/>
</poml>
