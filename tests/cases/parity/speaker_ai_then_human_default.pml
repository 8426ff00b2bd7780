<poml>
  <p>System prompt.</p>
  <human-msg>Hi</human-msg>
  <ai-msg>Hello</ai-msg>
  <human-msg>Bye</human-msg>
  <p>Tail after human.</p>
</poml>
