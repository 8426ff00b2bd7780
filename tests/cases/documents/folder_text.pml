<poml>
  <folder src="files/project" syntax="text"/>
</poml>
