<poml>
  <p>pi={{ pi }} n={{ n }}</p>
</poml>
