<poml>
  <cp caption="Answer" captionStyle="plain" captionEnding="colon">Yes.</cp>
</poml>
