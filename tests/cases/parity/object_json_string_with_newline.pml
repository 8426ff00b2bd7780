<poml>
  <obj data="{{ d }}" syntax="json"/>
</poml>
