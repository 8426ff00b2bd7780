<poml>
  <table src="orders.csv"/>
</poml>
