<poml>
  <human-msg>Give me a hint.</human-msg>
  <ai-msg><msg-content content="{{ reply }}"/></ai-msg>
</poml>
