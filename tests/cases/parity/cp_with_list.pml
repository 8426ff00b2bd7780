<poml>
  <cp caption="Ingredients">
    <list><item>Flour</item><item>Water</item></list>
  </cp>
</poml>
