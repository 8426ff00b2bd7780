<poml>
  <example chat="false">
    <input caption="Question">2+3</input>
    <output caption="Answer">5</output>
  </example>
</poml>
