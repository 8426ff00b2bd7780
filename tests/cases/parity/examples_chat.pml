<poml>
  <task>Translate English to French.</task>
  <examples>
    <example>
      <input>Hello</input>
      <output>Bonjour</output>
    </example>
    <example>
      <input>Thank you</input>
      <output>Merci</output>
    </example>
  </examples>
  <p>Good night</p>
</poml>
