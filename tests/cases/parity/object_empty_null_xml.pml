<poml>
  <obj data="{{ d }}" syntax="xml"/>
</poml>
