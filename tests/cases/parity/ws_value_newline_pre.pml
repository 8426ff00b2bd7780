<poml>
  <p whiteSpace="pre">{{ v }}</p>
</poml>
