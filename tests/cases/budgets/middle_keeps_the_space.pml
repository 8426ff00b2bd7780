<poml>
  <p tokenLimit="2" truncateDirection="middle" truncateMarker="">alpha alpha alpha</p>
</poml>
