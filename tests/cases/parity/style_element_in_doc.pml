<poml>
  <stylesheet>
    {"list": {"listStyle": "decimal"}, "hint": {"captionStyle": "plain"}}
  </stylesheet>
  <list><item>one</item><item>two</item></list>
  <hint>Be brief.</hint>
</poml>
