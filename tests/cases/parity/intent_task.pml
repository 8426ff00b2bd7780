<poml>
  <task>Plan a three-day trip to Rome.</task>
</poml>
