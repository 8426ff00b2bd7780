<poml>
  <cp caption="Staff" tokenLimit="40">
    <table records="{{ staff }}"/>
  </cp>
  <task>Pick who should review the design.</task>
</poml>
