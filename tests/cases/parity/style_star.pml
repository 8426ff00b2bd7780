<poml>
  <role>A baker.</role>
  <task>Bake bread.</task>
</poml>
