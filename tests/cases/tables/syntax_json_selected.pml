<poml>
  <table src="cities.tsv" selectedColumns="0:2" syntax="json"/>
</poml>
