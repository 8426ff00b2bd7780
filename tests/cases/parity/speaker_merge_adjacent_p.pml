<poml>
  <p speaker="human">Part one.</p>
  <p speaker="human">Part two.</p>
  <p speaker="ai">Reply.</p>
</poml>
