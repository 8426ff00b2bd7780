<poml>
  <table records="{{ rows }}" maxRecords="3"/>
</poml>
