<poml>
  <cp caption="Header style" captionStyle="header">Body.</cp>
</poml>
