<poml>
  <table src="cities.tsv" syntax="csv"/>
  <table src="cities.tsv" syntax="tsv"/>
  <p>Compare them.</p>
</poml>
