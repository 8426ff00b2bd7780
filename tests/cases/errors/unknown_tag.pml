<poml>
  <taks>Summarise the text.</taks>
</poml>
