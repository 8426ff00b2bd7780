<poml>
  <p if="x === null">x is null</p>
  <p if="true">always</p>
  <p if="false">never</p>
</poml>
