<poml>
  <p>Hello, {{ name }}!</p>
</poml>
