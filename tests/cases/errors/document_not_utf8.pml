<poml>
  <document src="files/latin1.txt"/>
</poml>
