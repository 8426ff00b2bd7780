<poml>
  <p>Before</p>
  <table records="{{ [] }}" columns='["name", "age"]'/>
  <table records="{{ [] }}"/>
  <p>After</p>
</poml>
