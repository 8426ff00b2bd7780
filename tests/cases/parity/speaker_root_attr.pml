<poml speaker="system">
  <p>All system.</p>
  <p>Still system.</p>
</poml>
