<poml>
  <table records="{{ rows }}" syntax="csv" writerOptions='{"csvSeparator": ", "}'/>
</poml>
