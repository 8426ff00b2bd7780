<poml>
  <code inline="false">SELECT 1;</code>
</poml>
