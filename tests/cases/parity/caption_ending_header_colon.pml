<poml>
  <cp caption="Answer" captionStyle="header" captionEnding="colon">Yes.</cp>
</poml>
