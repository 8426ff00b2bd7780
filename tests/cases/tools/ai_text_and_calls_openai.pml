<poml>
  <human-msg>Add 2 and 3, then multiply by 4.</human-msg>
  <ai-msg>Let me compute that. <tool-request id="c1" name="add" parameters='{"a": 2, "b": 3}'/><tool-request id="c2" name="mul" parameters='{"a": 5, "b": 4}'/></ai-msg>
  <tool-response id="c1" name="add">5</tool-response>
  <tool-response id="c2" name="mul"><p>20</p><p>(exact)</p></tool-response>
  <p speaker="human">Now explain the steps.</p>
</poml>
