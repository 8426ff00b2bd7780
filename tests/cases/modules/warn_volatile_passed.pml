<poml>
  <let name="request_id" volatile="true"/>
  <schema name="s">
    <module name="header" cache="true">
      <param name="rid"/>
      <p>Request {{ rid }}.</p>
    </module>
  </schema>
  <use module="header" rid="{{ request_id }}"/>
</poml>
