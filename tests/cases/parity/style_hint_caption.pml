<poml>
  <hint>Drink water.</hint>
</poml>
