<poml>
  <schema name="s">
    <module name="a">
      <p>A.</p>
      <use module="b"/>
    </module>
    <module name="b">
      <p>B.</p>
      <use module="a"/>
    </module>
  </schema>
  <use module="a"/>
</poml>
