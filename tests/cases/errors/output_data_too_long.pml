<poml>
  <object data="{{ big }}"/>
</poml>
