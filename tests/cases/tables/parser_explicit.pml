<poml>
  <table src="cities.tsv" parser="tsv" syntax="csv"/>
</poml>
