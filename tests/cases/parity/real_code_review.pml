<poml>
  <role>You are a senior {{ language }} engineer doing a code review.</role>
  <task>Review the change to <code>{{ filename }}</code> below and point out problems.</task>
  <code inline="false" lang="python" whiteSpace="pre">def mean(xs):
    return sum(xs) / len(xs)</code>
  <cp caption="Focus areas">
    <list>
      <item for="f in focus">{{ f }}</item>
    </list>
  </cp>
  <stepwise-instructions>
    <list listStyle="decimal">
      <item>Summarize what the code does.</item>
      <item>List each issue with a severity.</item>
      <item>Suggest a fix.</item>
    </list>
  </stepwise-instructions>
  <output-format>Use markdown with one section per step.</output-format>
</poml>
