<poml>
  <obj data="{{ d }}" syntax="yaml"/>
</poml>
