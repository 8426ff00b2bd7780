<!-- A code-review prompt: the code comes from the context and keeps its whitespace exactly,
     in a fenced block; a stylesheet turns every caption into a bold lead-in. -->
<poml>
  <style>
    cp, task { caption-style: bold; }
  </style>
  <role>You are a senior {{ language }} engineer reviewing a pull request.</role>
  <task>Review the change below for bugs, security problems and readability.</task>
  <cp caption="Change">
    <code inline="false" lang="{{ language }}">{{ diff }}</code>
  </cp>
  <output-format>
    <list listStyle="decimal">
      <item>Bugs, each with the line it is on</item>
      <item>Security problems</item>
      <item>Suggestions</item>
    </list>
  </output-format>
</poml>
