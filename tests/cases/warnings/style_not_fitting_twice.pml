<poml>
  <style>
    p { syntax: csv; }
  </style>
  <p>one</p>
  <p>two</p>
</poml>
