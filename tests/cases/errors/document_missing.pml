<poml>
  <document src="missing.txt"/>
</poml>
