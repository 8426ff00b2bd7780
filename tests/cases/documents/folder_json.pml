<poml>
  <folder src="files/project" syntax="json"/>
</poml>
