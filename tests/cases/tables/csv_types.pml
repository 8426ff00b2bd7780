<poml>
  <table src="types.csv" syntax="json"/>
</poml>
