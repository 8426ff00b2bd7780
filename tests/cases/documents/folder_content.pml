<poml>
  <cp caption="Sources">
    <folder src="files/project/src" showContent="true"/>
  </cp>
</poml>
