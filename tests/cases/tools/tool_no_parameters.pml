<poml>
  <p>What time is it?</p>
  <tool name="now" description="The current time."/>
  <tool-definition name="ping">{"type": "object", "properties": {}}</tool-definition>
</poml>
