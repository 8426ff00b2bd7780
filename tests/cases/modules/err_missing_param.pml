<poml>
  <schema name="s">
    <module name="persona">
      <param name="role"/>
      <param name="domain" default="everything"/>
      <p>You are a {{ role }} who knows {{ domain }}.</p>
    </module>
  </schema>
  <use module="persona" domain="maps"/>
</poml>
