<poml>
  <obj data="{{ xs }}"/>
</poml>
