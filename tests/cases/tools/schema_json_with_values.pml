<poml>
  <p>Classify the message.</p>
  <output-schema>{"type": "object", "properties": {"label": {"type": "string", "enum": {{ labels }}, "description": "{{ hint }}"}}}</output-schema>
</poml>
