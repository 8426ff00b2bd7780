<poml>
  <p>Name: {{ name }}.</p>
</poml>
