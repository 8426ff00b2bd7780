<poml>
  <cp caption="Input" captionStyle="plain" captionEnding="colon-newline">
    <table records="{{ grid }}" syntax="csv" writerOptions='{"csvHeader": false, "csvSeparator": " "}'/>
  </cp>
  <cp caption="Output" captionStyle="plain" captionEnding="colon-newline">
    <table records="{{ grid }}" syntax="tsv"/>
  </cp>
</poml>
