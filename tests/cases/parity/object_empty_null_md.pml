<poml>
  <obj data="{{ d }}"/>
</poml>
