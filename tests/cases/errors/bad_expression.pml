<poml>
  <p>Total: {{ 1 + }}</p>
</poml>
