<poml>
<p>Provide a concise executive summary of the following text.</p>
<Document syntax="text" src="files/report.pdf" />
</poml>
