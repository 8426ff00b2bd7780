<poml>
  <table records="{{ rows }}" maxRecords="1"/>
</poml>
