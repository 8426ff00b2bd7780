<poml>
  <p>Before: {{ x }}.</p>
  <list>
    <item for="x in items">item {{ x }}</item>
  </list>
  <list listStyle="star">
    <item for="y in others">{{ y }} after {{ x }}</item>
  </list>
  <p>After: {{ x }}.</p>
</poml>
