<poml>
  <table records="{{ grid }}" columns="{{ columns }}"/>
</poml>
