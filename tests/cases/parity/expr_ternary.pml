<poml>
  <p>Result: {{ score >= 50 ? 'pass' : 'fail' }}</p>
</poml>
