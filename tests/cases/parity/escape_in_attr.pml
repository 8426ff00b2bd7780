<poml>
  <cp caption="A #amp; B">Body.</cp>
</poml>
