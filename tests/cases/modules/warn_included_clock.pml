<poml>
  <include src="clock.poml"/>
  <schema name="s">
    <module name="policy" cache="true">
      <p>Returns within 30 days.</p>
    </module>
  </schema>
  <p>Time: {{ now }}</p>
  <use module="policy"/>
</poml>
