<poml syntax="xml">
  <role>Copywriter</role>
  <task>Write a product description for {{ product }}.</task>
  <cp caption="Audience">{{ audience }}</cp>
  <cp caption="Key Features" captionSerialized="features">
    <list>
      <item for="f in features">{{ f }}</item>
    </list>
  </cp>
  <cp caption="Constraints">
    <list>
      <item>Under 80 words</item>
      <item>No superlatives</item>
      <item>Mention the price only if asked</item>
    </list>
  </cp>
  <output-format>One paragraph</output-format>
</poml>
