<poml syntax="xml">
  <table name="cities" src="cities.tsv"/>
</poml>
