<poml>
  <let name="code" type="string">007</let>
  <p>Agent {{ code }}</p>
</poml>
