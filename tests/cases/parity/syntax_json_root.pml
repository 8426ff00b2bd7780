<poml syntax="json">
  <role>Data analyst</role>
  <task>Summarize the sales figures.</task>
</poml>
