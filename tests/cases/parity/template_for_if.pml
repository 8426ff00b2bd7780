<poml>
  <list>
    <item for="it in items" if="it.stock > 0">{{ it.name }} ({{ it.stock }})</item>
  </list>
</poml>
