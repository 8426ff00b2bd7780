<poml>
  <list listStyle="latin"><item>one</item><item>two</item><item>three</item></list>
</poml>
