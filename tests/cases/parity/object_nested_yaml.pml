<poml>
  <obj data="{{ order }}" syntax="yaml"/>
</poml>
