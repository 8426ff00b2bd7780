<poml>
  <cp>Body without a caption</cp>
</poml>
