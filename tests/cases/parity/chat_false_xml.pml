<poml syntax="xml">
  <role>R</role>
  <task>T</task>
</poml>
