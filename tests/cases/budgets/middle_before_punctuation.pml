<poml>
  <p tokenLimit="2" truncateDirection="middle" truncateMarker="">alpha alpha.</p>
</poml>
