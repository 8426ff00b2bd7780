<poml>
  <table src="people.csv" syntax="csv"/>
</poml>
