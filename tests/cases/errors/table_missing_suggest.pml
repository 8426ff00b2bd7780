<poml>
  <table src="data/order.csv"/>
</poml>
