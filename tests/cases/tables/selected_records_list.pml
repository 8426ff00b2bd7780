<poml>
  <table src="people.csv" selectedRecords="{{ [4, 0] }}"/>
</poml>
