<poml>
  <p>Rows:</p>
  <table records="{{ rows }}" syntax="json"/>
</poml>
