<poml>
  <schema name="bot">
    <module name="assistant">
      <p>You are an assistant.</p>
      <union default="friendly">
        <module name="friendly">
          <p>Use a warm tone.</p>
        </module>
        <module name="terse">
          <p>Be brief.</p>
        </module>
      </union>
    </module>
  </schema>
  <use module="assistant">
    <use module="friendly"/>
    <use module="terse"/>
  </use>
</poml>
