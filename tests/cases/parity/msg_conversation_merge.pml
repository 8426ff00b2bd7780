<poml>
  <conversation messages="{{ msgs }}"/>
</poml>
