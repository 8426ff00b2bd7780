<poml>
  <human-msg><human-msg/><task/></human-msg>
</poml>
