<poml>
  <cp caption="{{ section }} notes" captionStyle="{{ style }}">Short text.</cp>
</poml>
