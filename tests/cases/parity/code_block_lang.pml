<poml>
  <code inline="false" lang="python">print("hi")</code>
</poml>
