<poml>
  <cp for="s in steps" caption="Step {{ loop.index + 1 }}">{{ s }}</cp>
</poml>
