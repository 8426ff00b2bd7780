<poml>
  <list listStyle="{{ style }}"><item>x</item></list>
</poml>
