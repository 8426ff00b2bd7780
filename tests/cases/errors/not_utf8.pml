<poml>
  <p>Menu of the day:</p>
  <p>Café au lait, crème brûlée</p>
</poml>
