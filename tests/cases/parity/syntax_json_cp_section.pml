<poml>
  <cp caption="Payload" syntax="json">
    <p name="action">create</p>
    <p name="target">user</p>
  </cp>
</poml>
