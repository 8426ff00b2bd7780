<poml>
  <task>Classify the support ticket into exactly one label.</task>
  <cp caption="Labels">
    <list><item for="l in labels">{{ l }}</item></list>
  </cp>
  <examples chat="false">
    <example>
      <input>I was charged twice.</input>
      <output>billing</output>
    </example>
    <example>
      <input>Please add dark mode.</input>
      <output>feature request</output>
    </example>
  </examples>
  <qa questionCaption="Ticket" answerCaption="Label">{{ ticket }}</qa>
</poml>
