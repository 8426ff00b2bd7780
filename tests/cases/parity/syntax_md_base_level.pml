<poml writerOptions='{"markdownBaseHeaderLevel": 2}'>
  <role>Base level two.</role>
  <cp caption="Child"><cp caption="Grandchild">x</cp></cp>
</poml>
