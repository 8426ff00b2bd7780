<poml>
  <p>Setup.</p>
  <p speaker="ai">Reply.</p>
  <p speaker="human">Follow-up.</p>
</poml>
