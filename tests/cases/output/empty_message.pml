<poml>
  <human-msg>{{ v }}</human-msg>
  <ai-msg>ok</ai-msg>
</poml>
