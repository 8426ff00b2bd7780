<poml>
  <p tokenLimit="{{ x => 1 }}">x</p>
</poml>
