<poml syntax="json">
  <cp caption="Steps">
    <list><item>one</item><item>two</item></list>
  </cp>
</poml>
