<poml>
  <p if="file.endsWith('.pdf')">PDF file.</p>
  <p if="url.startsWith('https')">Secure URL.</p>
  <p>{{ title.toUpperCase() }}</p>
</poml>
