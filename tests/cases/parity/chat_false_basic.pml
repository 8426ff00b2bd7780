<poml>
  <system-msg>System text.</system-msg>
  <human-msg>Human text.</human-msg>
  <ai-msg>AI text.</ai-msg>
</poml>
