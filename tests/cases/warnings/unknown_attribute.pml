<poml>
  <p colour="red" blank-line="false">one</p>
  <p>two</p>
</poml>
