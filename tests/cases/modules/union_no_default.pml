<poml>
  <schema name="bot">
    <module name="assistant">
      <p>You are an assistant.</p>
      <union>
        <module name="friendly">
          <p>Use a warm tone.</p>
        </module>
        <module name="terse">
          <p>Be brief.</p>
        </module>
      </union>
      <p>Never guess.</p>
    </module>
  </schema>
  <use module="assistant"/>
  <use module="assistant">
    <use module="terse"/>
  </use>
</poml>
