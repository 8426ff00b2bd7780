<poml>
  <obj data="{{ data }}" syntax="yaml"/>
</poml>
