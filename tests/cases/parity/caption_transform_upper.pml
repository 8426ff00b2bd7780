<poml>
  <cp caption="Important rules" captionTextTransform="upper">Follow them.</cp>
</poml>
