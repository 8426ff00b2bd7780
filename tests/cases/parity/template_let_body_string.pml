<poml>
  <let name="city">Lisbon</let>
  <p>Destination: {{ city }}</p>
</poml>
