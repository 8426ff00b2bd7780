<poml>
  <folder src="files/project" filter="\.js$"/>
</poml>
