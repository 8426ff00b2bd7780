<poml>
  <p>System text.</p>
  <section speaker="human">
    <p>First human paragraph.</p>
    <p>Second human paragraph.</p>
  </section>
</poml>
