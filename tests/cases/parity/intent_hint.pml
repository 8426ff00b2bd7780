<poml>
  <task>Solve the puzzle.</task>
  <hint>Start with the corners.</hint>
</poml>
