<poml>
  <hint captionStyle="plain">Think twice.</hint>
</poml>
