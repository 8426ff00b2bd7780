<poml>
  <p>The product:</p>
  <obj data="{{ data }}"/>
</poml>
