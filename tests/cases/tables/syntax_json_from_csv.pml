<poml>
  <table src="cities.tsv" syntax="json"/>
</poml>
