<poml>
  <p for="i in [1, 2, 3]">{{ text }}</p>
</poml>
