<poml>
  <schema name="s">
    <module name="greeting">
      <p>Hello.</p>
    </module>
    <module name="farewell">
      <p>Bye.</p>
    </module>
  </schema>
  <use module="summary"/>
</poml>
