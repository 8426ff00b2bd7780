<poml>
  <let name="now" volatile="true"/>
  <schema name="s">
    <module name="banner">
      <param name="label"/>
      <p>{{ label }}</p>
    </module>
    <module name="policy" cache="true">
      <p>Returns within 30 days.</p>
    </module>
  </schema>
  <use module="banner" label="Sent {{ now }}"/>
  <use module="policy"/>
  <use module="banner" label="Again {{ now }}"/>
</poml>
