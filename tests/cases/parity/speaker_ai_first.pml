<poml>
  <ai-msg>I start.</ai-msg>
  <human-msg>Then you.</human-msg>
</poml>
