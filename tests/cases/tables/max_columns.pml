<poml>
  <table src="people.csv" maxColumns="2" maxRecords="2"/>
</poml>
