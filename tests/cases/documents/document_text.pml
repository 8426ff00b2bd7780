<poml>
  <task>Summarize the meeting notes in one sentence.</task>
  <cp caption="Notes">
    <document src="files/notes.txt"/>
  </cp>
</poml>
