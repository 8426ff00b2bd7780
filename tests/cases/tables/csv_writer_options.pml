<poml>
  <table records="{{ grid }}" syntax="csv" writerOptions='{"csvHeader": false, "csvSeparator": " "}'/>
</poml>
