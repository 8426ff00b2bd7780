<poml>
  <qa>What is the capital of France?</qa>
</poml>
