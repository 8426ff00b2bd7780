<poml>
  <task>Extract the order from {{ customer }}'s message.</task>
  <p>{{ message }}</p>
  <output-schema>
    { "type": "object", "properties": { "order": { "type": "string" } }, "required": ["order"] }
  </output-schema>
  <tool-definition name="lookup" description="Find an order">
    { "type": "object", "properties": { "id": { "type": "string" } } }
  </tool-definition>
  <runtime model="gpt-4o-mini" temperature="0.2"/>
</poml>
