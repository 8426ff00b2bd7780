<poml>
  <p>Tom #amp; Jerry</p>
</poml>
