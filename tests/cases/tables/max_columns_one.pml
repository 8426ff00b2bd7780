<poml>
  <table records="{{ rows }}" maxColumns="1"/>
</poml>
