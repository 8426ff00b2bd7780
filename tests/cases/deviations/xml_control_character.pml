<poml syntax="xml">
  <p name="n">{{ v }}</p>
</poml>
