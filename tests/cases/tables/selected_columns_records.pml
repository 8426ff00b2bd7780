<poml>
  <table records="{{ rows }}" selectedColumns='["city", "name"]'/>
</poml>
