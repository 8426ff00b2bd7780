<poml>
  <list listStyle="decimal">
    <item>Prepare<list listStyle="latin"><item>wash</item><item>cut</item></list></item>
    <item>Cook</item>
  </list>
</poml>
