<poml>
  <table src="data.csv" parser="xml"/>
</poml>
