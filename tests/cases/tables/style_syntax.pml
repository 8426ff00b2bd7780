<poml>
  <stylesheet>
    {"table": {"syntax": "csv", "writerOptions": {"csvSeparator": "|"}}}
  </stylesheet>
  <table src="cities.tsv"/>
</poml>
