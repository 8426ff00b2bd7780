<poml>
  <list listStyle="{{ [1] }}"><item>x</item></list>
</poml>
