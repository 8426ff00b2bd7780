<poml>
  <cp caption="Answer" captionStyle="bold" captionEnding="newline">Yes.</cp>
</poml>
