<poml>
  <task>Classify the sentiment of {{ who }}'s review.</task>
  <examples caption="Labelled reviews" introducer="Each review is followed by its label.">
    <example for="e in shots">
      <input>{{ e.review }}</input>
      <output>{{ e.label }}</output>
    </example>
  </examples>
  <qa>{{ review }}</qa>
</poml>
