<poml>
  <cp for="g in groups" caption="{{ g.title }}">
    <list><item for="m in g.members">{{ m }}</item></list>
  </cp>
</poml>
