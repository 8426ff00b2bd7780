<poml>
  <list>
    <item for="n in names">{{ n }}<b if="loop.first">(first)</b><i if="loop.last">(last)</i></item>
  </list>
</poml>
