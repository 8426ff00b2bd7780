<poml>
  <dataObj data="{{ cfg }}" syntax="yaml"/>
</poml>
