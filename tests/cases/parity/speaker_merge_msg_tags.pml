<poml>
  <system-msg>Rule one.</system-msg>
  <system-msg>Rule two.</system-msg>
  <human-msg>Go.</human-msg>
</poml>
