<poml>
  <p>Before</p>
  <list><item for="x in xs">{{ x }}</item></list>
  <p>After</p>
</poml>
