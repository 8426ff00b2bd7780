<poml>
  <system-msg>You are funny.</system-msg>
  <conversation messages="{{ msgs }}"/>
</poml>
