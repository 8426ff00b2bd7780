<poml>
  <p speaker="{{ [1] }}">x</p>
</poml>
