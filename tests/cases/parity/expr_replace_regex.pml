<poml>
  <p>{{ phone.replace(/-/g, '.') }}</p>
</poml>
