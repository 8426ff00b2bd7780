<poml>
  <table src="events.jsonl"/>
</poml>
