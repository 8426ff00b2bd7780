<poml>
  <runtime temperature="{{ Math }}"/>
  <p>x</p>
</poml>
