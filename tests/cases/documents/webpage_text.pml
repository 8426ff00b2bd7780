<poml>
  <webpage src="files/page.html" selector="article" extractText="true"/>
</poml>
