<poml tokenLimit="20">
  <h priority="5">Critical Section Header</h>
  <p priority="4" charLimit="150">
    Important introduction that should be preserved but can be shortened individually.
  </p>
  <list priority="2">
    <item priority="3">High priority item</item>
    <item priority="1">Lower priority item</item>
    <item>Lowest priority item (no explicit priority)</item>
  </list>
  <p priority="1" tokenLimit="30">
    Optional additional context that can be truncated aggressively.
  </p>
</poml>
