<poml>
  <table src="cities.tsv" selectedColumns="+index"/>
</poml>
