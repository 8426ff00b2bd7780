<poml>
  <role>You are an analyst who writes crisp executive summaries.</role>
  <task>Summarize the document "{{ title }}" in at most {{ words }} words.</task>
  <cp caption="Document">
    <cp for="s in sections" caption="{{ s.heading }}">{{ s.text }}</cp>
  </cp>
  <output-format>
    <list>
      <item>One paragraph summary.</item>
      <item>Then three bullet points with key numbers.</item>
    </list>
  </output-format>
  <hint>Do not invent numbers.</hint>
  <qa>Which section matters most to investors?</qa>
</poml>
