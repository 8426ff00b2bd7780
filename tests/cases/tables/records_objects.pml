<poml>
  <task>Who is the oldest?</task>
  <table records="{{ rows }}"/>
</poml>
