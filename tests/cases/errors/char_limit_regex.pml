<poml>
  <p charLimit="{{ /a/ }}">x</p>
</poml>
