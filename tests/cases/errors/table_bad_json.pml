<poml>
  <table src="table_broken.json"/>
</poml>
