<poml>
  <table src="notes.txt"/>
</poml>
