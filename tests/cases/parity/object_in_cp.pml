<poml>
  <cp caption="Input">
    <obj data="{{ data }}" syntax="json"/>
  </cp>
</poml>
