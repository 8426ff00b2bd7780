<poml>
  <cp caption="Notes">
    <document src="files/travel.docx" multimedia="false"/>
  </cp>
</poml>
