<poml>
  <p if="a && !b">a and not b</p>
  <p if="a || b">a or b</p>
  <p>Name: {{ name || 'anonymous' }}</p>
</poml>
