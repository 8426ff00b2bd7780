<poml>
  <list>
    <item>Fruit<list><item>Apple</item><item>Pear</item></list></item>
    <item>Vegetables</item>
  </list>
</poml>
