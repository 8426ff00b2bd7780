<poml>
  <p>{{ items.length }} items, word has {{ word.length }} letters.</p>
</poml>
