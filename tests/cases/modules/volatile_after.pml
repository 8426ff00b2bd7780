<poml>
  <let name="now" volatile="true"/>
  <let name="stamp" value="'at ' + now"/>
  <schema name="s">
    <module name="policy" cache="true">
      <p>Returns within 30 days.</p>
    </module>
  </schema>
  <use module="policy"/>
  <p>Asked {{ stamp }} ({{ now }}).</p>
</poml>
