<poml>
  <table records="{{ rows }}" columns="{{ columns }}"/>
</poml>
