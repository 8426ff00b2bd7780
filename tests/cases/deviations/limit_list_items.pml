<poml>
  <list tokenLimit="12"><item>First item text here</item><item>Second item text here</item><item>Third item text here</item></list>
</poml>
