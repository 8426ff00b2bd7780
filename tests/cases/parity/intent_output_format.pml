<poml>
  <output-format>Answer in JSON.</output-format>
</poml>
