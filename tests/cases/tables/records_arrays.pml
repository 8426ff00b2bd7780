<poml>
  <table records="{{ grid }}"/>
</poml>
