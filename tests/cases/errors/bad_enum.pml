<poml>
  <list listStyle="roman">
    <item>x</item>
  </list>
</poml>
