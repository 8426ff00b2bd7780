<poml>
  <task>List the steps.</task>
  <output-schema>
  {
    "$schema": "http://]]>json-schema.org/draft-07/schema#",
    "type": "array",
    "items": [{ "type": "text" }],
    "definitions": { "step": { "type": "object", "required": ["name", 3] } }
  }
  </output-schema>
</poml>
