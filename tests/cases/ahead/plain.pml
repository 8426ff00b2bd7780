<poml>
  <p>Orders:</p>
  <list>
    <item for="o in orders">{{ o }}</item>
  </list>
  <p>End.</p>
</poml>
