<poml>
  <style>
    list { list-stile: star; }
    task >> p { caption: "x"; }
    hint { caption-style: loud; }
  </style>
  <hint>Be brief.</hint>
  <list><item>one</item></list>
</poml>
