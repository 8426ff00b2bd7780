<poml>
  <p>Settings:</p>
  <section syntax="yaml">
    <role>Assistant</role>
    <task>Help.</task>
  </section>
</poml>
