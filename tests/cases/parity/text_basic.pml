<poml>
  <text>Hello from a text component.</text>
</poml>
