<poml syntax="yaml">
  <p name="note">{{ v }}</p>
  <p name="lines">{{ w }}</p>
</poml>
