<poml>
  <p>Data: {{ obj }}</p>
</poml>
