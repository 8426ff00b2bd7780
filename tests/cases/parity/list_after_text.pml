<poml>
  <p>Rules:</p>
  <list><item>Be kind.</item><item>Be brief.</item></list>
  <p>Thanks.</p>
</poml>
