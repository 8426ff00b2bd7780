<poml>
  <table src="people.csv" selectedColumns="-2:"/>
</poml>
