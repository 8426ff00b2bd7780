<poml>
  <p for="row in rows"><span for="cell in row">[{{ cell }}]</span></p>
</poml>
