<poml>
  <schema name="s">
    <module name="loop">
      <p>Again.</p>
      <use module="s.loop"/>
    </module>
  </schema>
  <use module="loop"/>
</poml>
