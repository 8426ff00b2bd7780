<poml>
  <list><item>one</item><item>two</item></list>
</poml>
