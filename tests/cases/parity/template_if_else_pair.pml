<poml>
  <p if="lang === 'en'">Hello!</p>
  <p if="lang !== 'en'">Language: {{ lang }}</p>
</poml>
