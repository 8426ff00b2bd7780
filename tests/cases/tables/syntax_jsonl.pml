<poml>
  <p>Rows:</p>
  <table records="{{ rows }}" syntax="jsonl"/>
</poml>
