<poml>
  <schema name="s">
    <module name="policy" cache="true">
      <param name="company"/>
      <param name="days" default="30"/>
      <p>{{ company }} accepts returns within {{ days }} days.</p>
      <list>
        <item for="n in range(3)">Rule {{ n + 1 }} of {{ company }}.</item>
      </list>
    </module>
  </schema>
  <use module="policy" company="Acme"/>
  <p>Between.</p>
  <use module="policy" company="{{ 'Ac' + 'me' }}"/>
  <use module="policy" company="Acme" days="60"/>
</poml>
