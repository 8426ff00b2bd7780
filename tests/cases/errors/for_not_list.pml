<poml>
  <p for="x in count">{{ x }}</p>
</poml>
