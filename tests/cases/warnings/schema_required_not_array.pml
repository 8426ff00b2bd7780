<poml>
  <task>Answer briefly.</task>
  <output-schema>{"type": "object", "properties": {"a": {"type": "string"}}, "required": "a"}</output-schema>
  <tool-definition name="search" description="Search the docs">
    {"type": "object", "properties": {"q": {"type": "string"}, "n": {"type": "integer", "minimum": "1"}}, "additionalProperties": "no"}
  </tool-definition>
</poml>
