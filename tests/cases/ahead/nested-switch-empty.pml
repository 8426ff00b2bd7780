<poml>
  <cp caption="Account" if="user">
    <p>Name: {{ user.name }}.</p>
    <list>
      <item for="o in user.orders">{{ o }}</item>
    </list>
  </cp>
  <p if="!user">No account.</p>
  <p>Done.</p>
</poml>
