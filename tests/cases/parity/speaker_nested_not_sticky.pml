<poml>
  <p>Intro.</p>
  <section>
    <p speaker="ai">Inside the section.</p>
  </section>
  <p>After the section.</p>
</poml>
