<poml>
  <list listStyle="roman"><item>x</item></list>
  <list listStyle="decimal"><item>y</item></list>
  <list listStyle="roman"><item>z</item></list>
</poml>
