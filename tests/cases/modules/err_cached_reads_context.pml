<poml>
  <schema name="s">
    <module name="policy" cache="true">
      <param name="company"/>
      <p>{{ company }} serves {{ user.name }}.</p>
    </module>
  </schema>
  <use module="policy" company="Acme"/>
</poml>
