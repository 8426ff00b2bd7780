<poml>
  <examples>
    <example><input>Hi</input><output>Salut</output></example>
    <example chat="false"><input>Bye</input><output>Au revoir</output></example>
  </examples>
</poml>
