<poml>
  <task>Answer briefly.</task>
  <qa>Why is the sky blue?</qa>
</poml>
