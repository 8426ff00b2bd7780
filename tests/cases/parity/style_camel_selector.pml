<poml>
  <stepwise-instructions><list><item>a</item></list></stepwise-instructions>
</poml>
