<poml>
  <list listStyle="decimal">
    <item>a</item><item>b</item><item>c</item><item>d</item><item>e</item>
    <item>f</item><item>g</item><item>h</item><item>i</item><item>j</item>
    <item>k<list><item>nested under eleven</item></list></item>
  </list>
</poml>
