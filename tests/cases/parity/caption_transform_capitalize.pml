<poml>
  <cp caption="important rules" captionTextTransform="capitalize">Follow them.</cp>
</poml>
