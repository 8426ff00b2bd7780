<poml>
  <p>Check: {{ expr }}</p>
</poml>
