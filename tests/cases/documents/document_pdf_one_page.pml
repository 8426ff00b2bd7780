<poml>
  <p>Only the second page:</p>
  <document src="files/report.pdf" selectedPages="1"/>
</poml>
