<poml>
  <human-msg><msg-content content="{{ parts }}"/></human-msg>
</poml>
