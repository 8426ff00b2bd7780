<poml>
  <cp caption="important rules" captionTextTransform="none">Follow them.</cp>
</poml>
