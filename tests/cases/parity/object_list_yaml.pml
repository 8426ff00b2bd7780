<poml>
  <obj data="{{ xs }}" syntax="yaml"/>
</poml>
