<poml syntax="html">
  <p>{{ v }}</p>
</poml>
