<poml>
  <p>Describe the trend.</p>
  <document src="files/chart.docx" multimedia="false"/>
</poml>
