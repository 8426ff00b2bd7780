<poml>
  <role>You are a helpful travel agent.</role>
</poml>
