<poml>
  <examples chat="false" caption="Demonstrations">
    <example><input>red</input><output>color</output></example>
  </examples>
</poml>
