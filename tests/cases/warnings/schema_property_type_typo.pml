<poml>
  <task>Look up the order.</task>
  <tool-definition name="find_order" description="Find an order by its number">
  {
    "type": "object",
    "properties": {
      "number": { "type": "strin" },
      "status": { "type": ["string", "nul"] },
      "limit": { "type": "int" }
    }
  }
  </tool-definition>
</poml>
