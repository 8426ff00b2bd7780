<poml>
  <p>Rows:</p>
  <table records="{{ rows }}" syntax="xml"/>
</poml>
