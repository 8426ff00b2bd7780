<poml>
  <cp caption="{{ title }}" captionTextTransform="upper">Body for {{ title }}.</cp>
</poml>
