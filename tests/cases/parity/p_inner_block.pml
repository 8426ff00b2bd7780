<poml>
  <p>Outer start.<p>Inner paragraph.</p>Outer end.</p>
</poml>
