<poml>
  <p>Config follows.</p>
  <section syntax="json">
    <role>Critic</role>
    <task>Rate the movie.</task>
  </section>
</poml>
