<poml>
  <table records="{{ rows }}" writerOptions='{"markdownTableCollapse": true}'/>
</poml>
