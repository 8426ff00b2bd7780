<poml>
  <table records="{{ rows }}"/>
</poml>
