<poml>
  <p>JSON like {"a": 1} is fine.</p>
</poml>
