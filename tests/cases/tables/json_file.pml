<poml>
  <table src="orders.json"/>
</poml>
