<poml>
  <p>The user pasted this:</p>
  <document buffer="{{ pasted }}"/>
</poml>
