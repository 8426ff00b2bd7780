<poml>
  <p class=intro>Hi</p>
</poml>
