<poml>
  <table src="people.csv" syntax="tsv"/>
</poml>
