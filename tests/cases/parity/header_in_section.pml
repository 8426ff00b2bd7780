<poml>
  <h>Top</h>
  <section>
    <h>Second</h>
    <p>Text.</p>
    <section>
      <h>Third</h>
      <p>Deep text.</p>
    </section>
  </section>
</poml>
