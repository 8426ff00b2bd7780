<poml>
  <conversation messages="{{ msgs }}" selectedMessages="1:3"/>
</poml>
