<poml>
  <list listStyle="decimal">
    <item for="s in steps"><p>{{ s }}</p><p>More.</p></item>
  </list>
</poml>
