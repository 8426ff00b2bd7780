<poml>
  <p speaker="human">User asks first.</p>
  <examples><example><input>in</input><output>out</output></example></examples>
  <p>Tail.</p>
</poml>
