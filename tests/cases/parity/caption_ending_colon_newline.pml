<poml>
  <cp caption="Answer" captionStyle="plain" captionEnding="colon-newline">Yes.</cp>
</poml>
