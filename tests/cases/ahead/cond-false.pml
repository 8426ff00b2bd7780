<poml>
  <p if="show">Shown for {{ name }}.</p>
  <p>Always.</p>
</poml>
