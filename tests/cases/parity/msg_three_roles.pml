<poml>
  <system-msg>Be helpful.</system-msg>
  <human-msg>What is 2+2?</human-msg>
  <ai-msg>4</ai-msg>
  <human-msg>And 3+3?</human-msg>
</poml>
