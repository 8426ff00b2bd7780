<poml>
  <cp caption="Hidden style" captionStyle="hidden">Body only.</cp>
</poml>
