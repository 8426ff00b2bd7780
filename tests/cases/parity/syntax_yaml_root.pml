<poml syntax="yaml">
  <role>Data analyst</role>
  <task>Summarize the sales figures.</task>
</poml>
