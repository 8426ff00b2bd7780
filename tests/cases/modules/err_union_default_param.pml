<poml>
  <schema name="s">
    <module name="bot">
      <union default="b">
        <module name="a"><p>A.</p></module>
        <module name="b"><param name="n"/><p>B {{ n }}.</p></module>
      </union>
    </module>
  </schema>
  <use module="bot"/>
</poml>
