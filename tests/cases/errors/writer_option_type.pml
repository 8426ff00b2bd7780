<poml syntax="json" writerOptions='{"jsonSpace": "four"}'>
  <p>x</p>
</poml>
