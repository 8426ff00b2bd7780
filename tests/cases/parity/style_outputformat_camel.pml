<poml>
  <output-format>Return JSON.</output-format>
</poml>
