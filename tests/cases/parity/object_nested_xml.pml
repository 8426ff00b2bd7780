<poml>
  <obj data="{{ order }}" syntax="xml"/>
</poml>
