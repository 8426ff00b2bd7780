<poml>
  <p>Rows:</p>
  <table records="{{ rows }}" syntax="html"/>
</poml>
