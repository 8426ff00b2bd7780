<poml>
  <section speaker="human">
    <p>Human part.</p>
    <p speaker="ai">AI part inside human section.</p>
    <p>Back inside section.</p>
  </section>
</poml>
