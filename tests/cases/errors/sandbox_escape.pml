<poml>
  <p>{{ "".__class__ }}</p>
</poml>
