<poml>
  <cp caption="Project layout">
    <folder src="files/project"/>
  </cp>
</poml>
