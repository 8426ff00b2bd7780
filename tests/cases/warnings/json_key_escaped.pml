<poml>
  <stylesheet>{"\u003c": {"captionStyle": "bold"}}</stylesheet>
  <task>Answer briefly.</task>
</poml>
