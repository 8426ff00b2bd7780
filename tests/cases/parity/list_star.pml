<poml>
  <list listStyle="star"><item>one</item><item>two</item></list>
</poml>
