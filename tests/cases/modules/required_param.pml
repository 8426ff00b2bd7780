<poml>
  <schema name="s">
    <module name="persona">
      <param name="role"/>
      <param name="domain"/>
      <role>You are a {{ role }} who knows {{ domain }}.</role>
    </module>
  </schema>
  <use module="persona" role="librarian" domain="maps"/>
</poml>
