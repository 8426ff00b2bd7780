<poml>
  <p speaker="system">Explicitly system.</p>
</poml>
