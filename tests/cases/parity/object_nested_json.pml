<poml>
  <obj data="{{ order }}" syntax="json"/>
</poml>
