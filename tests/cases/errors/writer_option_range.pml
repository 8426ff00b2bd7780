<poml writerOptions="{{ options }}">
  <h>x</h>
</poml>
