<poml>
  <examples chat="false" introducer="Here are some examples:">
    <example><input>2+2</input><output>4</output></example>
  </examples>
</poml>
