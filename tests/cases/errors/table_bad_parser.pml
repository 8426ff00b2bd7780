<poml>
  <table src="table_broken.json" parser="xml"/>
</poml>
