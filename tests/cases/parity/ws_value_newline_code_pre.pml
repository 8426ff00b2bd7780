<poml>
  <code inline="false" lang="python" whiteSpace="pre">{{ src }}</code>
</poml>
