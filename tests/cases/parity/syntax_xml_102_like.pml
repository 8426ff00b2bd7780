<poml syntax="xml">
  <role>Senior Consultant</role>
  <task>Migration Analysis</task>
  <cp caption="Context">
    <list>
      <item>Retail company</item>
      <item>Monolithic application</item>
    </list>
  </cp>
  <cp caption="Required Analysis" captionSerialized="RequiredAnalysis">
    <list listStyle="decimal">
      <item>Risks</item>
      <item>Roadmap</item>
    </list>
  </cp>
  <output-format>
    <list>
      <item>Executive brief</item>
      <item>Risk matrix</item>
    </list>
  </output-format>
</poml>
