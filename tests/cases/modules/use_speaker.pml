<poml>
  <schema name="chat">
    <module name="rules">
      <param name="lang" default="English"/>
      <p>Reply in {{ lang }}.</p>
    </module>
  </schema>
  <use module="rules" speaker="system" lang="Spanish"/>
  <p>What is the capital of Peru?</p>
  <use module="rules" speaker="ai"/>
</poml>
