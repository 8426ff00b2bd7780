<poml>
  <task>List the key figures in the report.</task>
  <cp caption="Report">
    <document src="files/report.pdf"/>
  </cp>
</poml>
