<poml>
  <table records='[{"sku": "A-1", "qty": 3}, {"sku": "B-2", "qty": 12}]'/>
</poml>
