<!-- A support prompt rendered once per row: a role, a task, a 5-policy list from the base
     context, and the row's question. -->
<poml>
  <role>You are a support agent for {{ company }}.</role>
  <task>Answer the customer's question using the policy below, in at most three sentences.</task>
  <cp caption="Policy">
    <list listStyle="decimal">
      <item for="rule in policy">{{ rule }}</item>
    </list>
  </cp>
  <runtime temperature="0.2"/>
  <human-msg>{{ question.trim() }}</human-msg>
</poml>
