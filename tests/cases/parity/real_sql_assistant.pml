<poml>
  <role>You write correct, efficient {{ dialect }} queries.</role>
  <cp caption="Schema">
    <obj data="{{ tables }}" syntax="yaml"/>
  </cp>
  <cp caption="Conventions">
    <list>
      <item>Table names are plural.</item>
      <item>Foreign keys end in <code>_id</code>.</item>
    </list>
  </cp>
  <task>Write a query that answers: {{ question }}.</task>
  <output-format>
    Return only the SQL inside a code block. Use <code>JOIN</code> explicitly.
  </output-format>
  <hint>Prefer <code>GROUP BY</code> over window functions here.</hint>
</poml>
