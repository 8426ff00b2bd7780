<poml>
  <let name="now" volatile="true"/>
  <schema name="s">
    <module name="policy" cache="true">
      <p>Returns within 30 days.</p>
    </module>
  </schema>
  <p>Time: {{ now }}</p>
  <use module="policy"/>
  <p>Question: {{ question }}</p>
</poml>
