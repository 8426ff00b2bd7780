<poml>
  <p>Use # for headings and #tag for tags.</p>
</poml>
