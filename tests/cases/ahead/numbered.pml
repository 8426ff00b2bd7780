<poml>
  <list listStyle="decimal">
    <item>Read the question.</item>
    <item for="s in steps" if="s.on">{{ s.text }}</item>
  </list>
  <cp for="g in groups" caption="{{ g.name }}">
    <list listStyle="latin">
      <item for="x in g.items">{{ x }}</item>
    </list>
  </cp>
</poml>
