<poml>
  <p>Instructions for the model.</p>
  <p speaker="human">User question.</p>
  <section>
    <p>Later section.</p>
  </section>
</poml>
