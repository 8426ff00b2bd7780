<poml>
  <role>You extract structured data from invoices.</role>
  <task>Read the invoice text the user sends and extract the fields below.</task>
  <cp caption="Fields">
    <list>
      <item for="f in fields"><code>{{ f.name }}</code>: {{ f.desc }}</item>
    </list>
  </cp>
  <cp caption="Example output">
    <obj data="{{ sample }}" syntax="json"/>
  </cp>
  <output-format>Return only JSON. Use <b>null</b> for missing fields.</output-format>
  <hint>Dates may be written in many formats; always normalize them.</hint>
  <human-msg>Invoice from Initech dated 2024-05-02, total due 88.00.</human-msg>
  <ai-msg>{"vendor": "Initech", "date": "2024-05-02", "total": 88.0}</ai-msg>
  <human-msg>Invoice from Hooli, no date, total 12.</human-msg>
</poml>
