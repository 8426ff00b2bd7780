<poml>
  <schema name="s">
    <module name="m" cache="{{ cached }}">M</module>
  </schema>
  <use module="s.m"/>
</poml>
