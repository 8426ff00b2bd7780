<poml>
  <p>Literal #lbrace;#lbrace; name #rbrace;#rbrace; stays.</p>
</poml>
