<poml>
  <conversation messages="{{ msgs }}" selectedMessages="-2:"/>
</poml>
