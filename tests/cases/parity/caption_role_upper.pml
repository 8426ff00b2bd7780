<poml>
  <role captionTextTransform="upper">A chef.</role>
</poml>
