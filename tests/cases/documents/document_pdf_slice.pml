<poml>
  <p>The first two pages:</p>
  <document src="files/report.pdf" selectedPages="0:2"/>
</poml>
