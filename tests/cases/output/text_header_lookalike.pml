<poml>
  <p>{{ v }}</p>
  <ai-msg>ok</ai-msg>
</poml>
