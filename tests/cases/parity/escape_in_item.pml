<poml>
  <list><item>x #lt; y</item><item>y #gt; z</item></list>
</poml>
