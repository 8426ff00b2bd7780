<poml tokenLimit="36">
  <role priority="3">You are a careful reviewer.</role>
  <task priority="3">Review the change for correctness.</task>
  <cp caption="Background" priority="1">
    <p>The service was rewritten last year and has had three outages since, all during deployments.</p>
  </cp>
  <cp caption="Style guide" priority="2">
    <list>
      <item>Short sentences.</item>
      <item>No jargon.</item>
    </list>
  </cp>
</poml>
