<poml>
  <p>Setup.</p>
  <p speaker="ai">Assistant reply.</p>
  <p>Follows the ai paragraph.</p>
</poml>
