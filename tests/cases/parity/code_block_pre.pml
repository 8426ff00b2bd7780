<poml>
  <code inline="false" lang="python" whiteSpace="pre">def add(a, b):
    return a + b</code>
</poml>
