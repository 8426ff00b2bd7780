<poml>
  <system-msg>Only a system message.</system-msg>
</poml>
