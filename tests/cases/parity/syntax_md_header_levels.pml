<poml>
  <cp caption="Level one">
    <p>Body of level one.</p>
    <section>
      <h>Header inside a section inside a cp</h>
      <cp caption="Caption inside the same section">
        <p>Deep.</p>
      </cp>
    </section>
  </cp>
</poml>
