<poml>
  <schema name="s">
    <module name="greeting">
      <p>Hello.</p>
    </module>
  </schema>
  <use module="greting"/>
</poml>
