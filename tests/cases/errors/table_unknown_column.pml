<poml>
  <table records="{{ rows }}" selectedColumns='["nmae"]'/>
</poml>
