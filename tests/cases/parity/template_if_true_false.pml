<poml>
  <p if="premium">Premium user.</p>
  <p if="beta">Beta features on.</p>
  <p if="!beta">Beta features off.</p>
</poml>
