<poml>
  <task>Check the travel notes for missing receipts.</task>
  <cp caption="Notes">
    <document src="files/travel.docx"/>
  </cp>
</poml>
