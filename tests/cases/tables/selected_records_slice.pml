<poml>
  <table records="{{ rows }}" selectedRecords="1:3"/>
</poml>
