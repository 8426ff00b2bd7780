<poml>
  <p>{{ first + ' ' + last }}</p>
</poml>
