<poml>
  <section>
    <p>In section.</p>
  </section>
  <section speaker="ai">
    <p>AI section.</p>
  </section>
</poml>
