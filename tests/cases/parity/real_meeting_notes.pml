<poml>
  <let name="count" value="attendees.length"/>
  <role>You are a project coordinator.</role>
  <task>Turn the raw meeting notes into action items.</task>
  <p>The meeting had {{ count }} attendees: {{ attendees.join(', ') }}.</p>
  <cp caption="Raw notes">
    <list>
      <item for="n in notes">{{ n }}</item>
    </list>
  </cp>
  <output-format>
    A numbered list. Each item: <i>owner</i> - <i>action</i> - <i>due date</i>.
  </output-format>
  <hint>If no due date is mentioned, write "TBD".</hint>
  <p if="count > 2">Group items by owner.</p>
</poml>
