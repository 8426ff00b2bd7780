<poml>
  <role>You are a judge.</role>
  <task speaker="human">Score this essay.</task>
</poml>
