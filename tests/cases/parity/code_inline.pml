<poml>
  <p>Run <code>npm install</code> first.</p>
</poml>
