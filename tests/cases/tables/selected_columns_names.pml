<poml>
  <table src="people.csv" selectedColumns="{{ wanted }}"/>
</poml>
