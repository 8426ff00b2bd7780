<poml>
  <div>First block.</div>
  <div>Second block.</div>
</poml>
