<poml speaker="human">
  <p>All human.</p>
</poml>
