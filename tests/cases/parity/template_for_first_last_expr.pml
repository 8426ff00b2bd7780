<poml>
  <p>{{ names.map((n, i) => i === 0 ? n.toUpperCase() : n).join(', ') }}</p>
  <p for="n in names">{{ n }}{{ loop.last ? '.' : ',' }}</p>
</poml>
