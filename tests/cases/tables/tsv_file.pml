<poml>
  <table src="cities.tsv"/>
</poml>
