<poml>
  <section>
    <h>Section header</h>
    <section>
      <h>Subsection header</h>
      <list><item>detail</item></list>
    </section>
  </section>
</poml>
