<poml>
  <cp caption="{{ lang }} glossary">Words.</cp>
</poml>
