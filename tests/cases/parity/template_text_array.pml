<poml>
  <p>Array: {{ arr }}</p>
</poml>
