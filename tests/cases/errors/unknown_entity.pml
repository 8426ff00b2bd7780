<poml>
  <p>Fish &chips; and more</p>
</poml>
