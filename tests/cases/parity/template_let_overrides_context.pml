<poml>
  <p>Before: {{ mode }}</p>
  <let name="mode" value="'fast'"/>
  <p>After: {{ mode }}</p>
</poml>
