<poml>
  <cp caption="Answer" captionStyle="bold" captionEnding="none">Yes.</cp>
</poml>
