<poml>
  <examples chat="false">
    <example for="e in shots">
      <input>{{ e.review }}</input>
      <output>{{ e.label }}</output>
    </example>
  </examples>
</poml>
