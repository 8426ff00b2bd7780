<poml syntax="xml">
  <task>Review the code.</task>
  <output-format>
    <list><item>Summary</item><item>Issues</item></list>
  </output-format>
</poml>
