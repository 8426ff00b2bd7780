<poml>
  <schema name="s">
    <module name="store">
      <param name="company"/>
      <p>Store of {{ company }} for {{ customer }}.</p>
      <module name="terms" cache="true">
        <param name="days" default="14"/>
        <p>{{ company }} refunds within {{ days }} days.</p>
      </module>
    </module>
  </schema>
  <use module="store" company="Acme">
    <use module="terms"/>
  </use>
  <use module="store" company="Zeta">
    <use module="terms" days="30"/>
  </use>
  <use module="store.terms" company="Acme" days="7"/>
</poml>
