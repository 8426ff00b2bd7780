<poml>
  <p syntax="{{ 1 }}">x</p>
</poml>
