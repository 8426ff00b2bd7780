<poml>
  <p for="x of items">{{ x }}</p>
</poml>
