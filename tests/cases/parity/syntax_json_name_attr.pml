<poml syntax="json">
  <p name="greeting">Hello there.</p>
  <p name="farewell">Goodbye.</p>
</poml>
