<poml>
  <table records="{{ order }}"/>
</poml>
