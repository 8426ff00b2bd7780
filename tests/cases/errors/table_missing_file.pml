<poml>
  <table src="missing.csv"/>
</poml>
