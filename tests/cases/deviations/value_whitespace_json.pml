<poml syntax="json">
  <p name="note">Kept: {{ v }}</p>
</poml>
