<poml>
  <role>A poet.</role>
  <task>Write a haiku.</task>
</poml>
