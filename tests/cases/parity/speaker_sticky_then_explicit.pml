<poml>
  <p speaker="ai">AI one.</p>
  <p>Still AI.</p>
  <p speaker="system">Back to system.</p>
  <p>Sticky system.</p>
</poml>
