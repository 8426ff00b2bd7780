<poml>
  <task>Summarize the release.</task>
  <cp caption="Page">
    <webpage src="files/page.html"/>
  </cp>
</poml>
