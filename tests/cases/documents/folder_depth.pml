<poml>
  <folder src="files/project" maxDepth="1"/>
</poml>
