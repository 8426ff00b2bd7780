<poml>
  <cp for="s in sections" caption="{{ s.title }}">
    <list>
      <item for="x in s.items" if="x.open">{{ x.name }} ({{ loop.index }} of {{ loop.length }})</item>
    </list>
  </cp>
  <list listStyle="star">
    <item for="n in notes" if="!loop.last">{{ n }}</item>
  </list>
</poml>
