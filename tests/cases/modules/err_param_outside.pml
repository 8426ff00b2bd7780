<poml>
  <schema name="s">
    <param name="city"/>
    <module name="m">
      <p>Hello.</p>
    </module>
  </schema>
  <use module="m"/>
</poml>
