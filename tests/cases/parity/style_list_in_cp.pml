<poml>
  <cp caption="Steps"><list><item>first</item><item>second</item></list></cp>
  <task>Do it.<list><item>now</item></list></task>
</poml>
