<poml tokenLimit="2" truncateDirection="middle" truncateMarker="">
  <p>alpha</p>
  <p>alpha</p>
</poml>
