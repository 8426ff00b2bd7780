<poml>
  <schema name="bot">
    <module name="assistant">
      <param name="product"/>
      <p>You support {{ product }}.</p>
      <union default="friendly">
        <module name="friendly">
          <p>Use a warm tone.</p>
        </module>
        <module name="terse">
          <param name="limit" default="50"/>
          <p>Answer in at most {{ limit }} words.</p>
        </module>
      </union>
      <p>Never guess.</p>
    </module>
  </schema>
  <use module="assistant" product="Widgets">
    <use module="terse" limit="20"/>
  </use>
  <use module="assistant" product="Gadgets">
    <use module="terse"/>
  </use>
  <use module="assistant" product="Gizmos">
    <use module="friendly"/>
  </use>
</poml>
