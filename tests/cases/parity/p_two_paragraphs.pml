<poml>
  <p>First paragraph.</p>
  <p>Second paragraph.</p>
</poml>
