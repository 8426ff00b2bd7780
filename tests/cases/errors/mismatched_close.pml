<poml>
  <role>You are a tutor.
  <task>Explain.</task>
</poml>
