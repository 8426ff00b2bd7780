<poml>
  <table src="people.csv" selectedColumns='["name", "note"]' syntax="csv" writerOptions='{"csvSeparator": ";"}'/>
</poml>
