<poml>
  <table src="files/latin1.csv"/>
</poml>
