<poml>
  <task>Summarize the text.</task>
  <output-schema parser="json">
    {"type": "object", "properties": {"summary": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}}}, "required": ["summary"]}
  </output-schema>
</poml>
