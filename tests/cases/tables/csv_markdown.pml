<poml>
  <p>Guests:</p>
  <table src="people.csv"/>
  <p>Answer from the table.</p>
</poml>
