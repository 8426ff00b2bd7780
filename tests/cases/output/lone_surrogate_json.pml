<poml syntax="json">
  <object data="{{ d }}"/>
</poml>
