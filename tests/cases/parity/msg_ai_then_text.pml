<poml>
  <human-msg>Question?</human-msg>
  <ai-msg>Answer.</ai-msg>
  <p>Trailing</p>
</poml>
