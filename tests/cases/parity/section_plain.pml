<poml>
  <section>
    <p>Inside a section.</p>
    <p>Still inside.</p>
  </section>
  <p>Outside.</p>
</poml>
