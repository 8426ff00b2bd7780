<poml>
  <p if="status === 'open'">Open ticket.</p>
  <p if="status !== 'closed'">Not closed.</p>
  <p if="n === 2">Two.</p>
</poml>
