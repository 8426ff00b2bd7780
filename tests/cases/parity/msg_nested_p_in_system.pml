<poml>
  <system-msg>
    <p>First rule.</p>
    <p>Second rule.</p>
  </system-msg>
  <human-msg>Question.</human-msg>
</poml>
