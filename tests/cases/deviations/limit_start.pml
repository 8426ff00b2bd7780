<poml>
  <p charLimit="30" writerOptions='{"truncateDirection": "start"}'>The beginning is cut and the end of this sentence is kept.</p>
</poml>
