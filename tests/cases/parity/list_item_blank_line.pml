<poml>
  <list>
    <item blankLine="true">alpha</item>
    <item>beta</item>
  </list>
</poml>
