<poml>
  <cp caption="Bold style" captionStyle="bold">Body.</cp>
</poml>
