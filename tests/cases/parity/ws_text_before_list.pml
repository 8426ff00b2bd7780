<poml>
  <task>Do these:<list><item>a</item><item>b</item></list></task>
</poml>
