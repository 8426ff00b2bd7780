<poml>
  <p charLimit="50" writerOptions='{ "truncateMarker": " [...] ", "truncateDirection": "middle"}'>This is a very long paragraph that will be truncated in the middle if it exceeds the character limit.</p>
</poml>
