<poml>
  <obj data="{{ data }}" syntax="json"/>
</poml>
