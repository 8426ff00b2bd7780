<poml>
  <task>Classify the ticket.</task>
  <output-schema>
  {
    "type": "obect",
    "properties": { "label": { "type": "string" } }
  }
  </output-schema>
</poml>
