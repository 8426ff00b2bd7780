<poml syntax="xml">
  <p name="note">Kept: {{ v }}</p>
</poml>
