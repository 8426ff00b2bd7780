<poml>
  <list listStyle="plus"><item>one</item><item>two</item></list>
</poml>
