<poml>
  <table records="{{ rows }}" selectedRecords="first:last"/>
</poml>
