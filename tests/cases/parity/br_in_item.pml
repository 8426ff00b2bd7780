<poml>
  <list><item>first line<br/>second line</item><item>next</item></list>
</poml>
