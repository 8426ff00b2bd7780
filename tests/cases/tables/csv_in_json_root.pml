<poml syntax="json">
  <table name="cities" src="cities.tsv" syntax="csv"/>
</poml>
