<poml>
  <examples introducer="Follow these examples.">
    <example><input>1</input><output>one</output></example>
  </examples>
</poml>
