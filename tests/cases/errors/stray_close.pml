<poml>
  <p>one</p>
</poml>
</p>
