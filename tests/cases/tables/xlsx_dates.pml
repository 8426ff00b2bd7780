<poml>
  <table src="trips.xlsx"/>
</poml>
