<poml>
  <p>Context.</p>
  <input>A question</input>
</poml>
