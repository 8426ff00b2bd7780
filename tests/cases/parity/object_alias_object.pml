<poml>
  <object data="{{ cfg }}" syntax="json"/>
</poml>
