<poml syntax="yaml">
  <p name="note">Kept: {{ v }}</p>
</poml>
