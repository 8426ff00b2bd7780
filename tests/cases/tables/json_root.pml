<poml syntax="json">
  <task>Summarize the orders.</task>
  <table name="orders" src="orders.json"/>
</poml>
