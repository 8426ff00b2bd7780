<poml>
  <p>
    <span>one</span>
    <span>two</span>
  </p>
</poml>
