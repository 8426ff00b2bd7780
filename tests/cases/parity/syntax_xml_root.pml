<poml syntax="xml">
  <role>Data analyst</role>
  <task>Summarize the sales figures.</task>
</poml>
