<poml>
  <p whiteSpace="pre">keep  <span whiteSpace="filter">  squash   me  </span>  keep</p>
</poml>
