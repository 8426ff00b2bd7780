<poml>
  <obj data="{{ xs }}" syntax="json"/>
</poml>
