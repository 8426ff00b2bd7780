<poml>
  <example chat="false">
    <input>cat</input>
    <output>animal</output>
  </example>
</poml>
