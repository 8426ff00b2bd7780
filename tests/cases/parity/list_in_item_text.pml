<poml>
  <list listStyle="decimal">
    <item><b>Step:</b> open the lid</item>
    <item><i>Then</i> pour</item>
  </list>
</poml>
