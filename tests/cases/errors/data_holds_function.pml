<poml>
  <object data="{{ rows.map(r => r.name) }}"/>
  <object data="{{ [1, {'f': x => x}] }}"/>
</poml>
