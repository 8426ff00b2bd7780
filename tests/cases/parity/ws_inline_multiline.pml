<poml>
  <p>
    The <b>first</b>
    and the <i>second</i>
    line.
  </p>
</poml>
