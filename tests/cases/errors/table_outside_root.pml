<poml>
  <table src="../tables/cities.tsv"/>
</poml>
