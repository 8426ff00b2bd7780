<poml>
  <system-msg>You are terse.</system-msg>
  <human-msg>Hi there.</human-msg>
</poml>
