<poml>
  <list>
    <item for="i in range(5)">{{ i }}</item>
  </list>
</poml>
