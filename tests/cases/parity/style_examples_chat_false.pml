<poml>
  <examples>
    <example><input>in</input><output>out</output></example>
  </examples>
</poml>
