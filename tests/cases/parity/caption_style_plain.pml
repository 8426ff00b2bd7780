<poml>
  <cp caption="Plain style" captionStyle="plain">Body.</cp>
</poml>
