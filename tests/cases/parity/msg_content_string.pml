<poml>
  <human-msg><msg-content content="{{ text }}"/></human-msg>
</poml>
