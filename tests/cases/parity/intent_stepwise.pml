<poml>
  <stepwise-instructions>
    <list listStyle="decimal">
      <item>Read the question.</item>
      <item>Think.</item>
      <item>Answer.</item>
    </list>
  </stepwise-instructions>
</poml>
