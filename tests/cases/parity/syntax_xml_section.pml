<poml>
  <p>Markdown intro.</p>
  <section syntax="xml">
    <role>Translator</role>
    <task>Translate to German.</task>
  </section>
</poml>
