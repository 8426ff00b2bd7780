<poml>
  <cp for="s in sections" caption="{{ s.title }}">
    <p>{{ s.summary }} Owner: <b>{{ s.owner }}</b>.</p>
    <list>
      <item for="step in s.steps">{{ loop.index }}: {{ step }}</item>
    </list>
  </cp>
  <task>Answer for {{ user }} using only the sections above.</task>
</poml>
