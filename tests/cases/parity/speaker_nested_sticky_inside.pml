<poml>
  <section>
    <p>System intro.</p>
    <p speaker="ai">AI inside.</p>
    <p>Sticky inside the section.</p>
  </section>
  <p>Outside the section again.</p>
</poml>
