<poml>
  <h>Title</h>
  <p>Body text.</p>
</poml>
