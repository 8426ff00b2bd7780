<poml>
  <p>Hello {{ nme }}.</p>
</poml>
