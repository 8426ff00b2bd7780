<poml>
  <role>An editor.</role>
  <task>Fix typos.</task>
</poml>
