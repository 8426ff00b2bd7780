<poml>
  <code inline="false" lang="python">
    def add(a, b):
        return a + b
  </code>
</poml>