<poml>
  <p>A<span whiteSpace="trim">  x  y  </span>B</p>
</poml>
