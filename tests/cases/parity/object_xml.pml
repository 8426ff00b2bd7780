<poml>
  <obj data="{{ data }}" syntax="xml"/>
</poml>
