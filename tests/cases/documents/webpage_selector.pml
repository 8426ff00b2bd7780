<poml>
  <webpage src="files/page.html" selector="#notes ol, .note"/>
</poml>
