<poml>
  <cp caption="Summary" captionStyle="plain">
    <p>First point.</p>
    <p>Second point.</p>
  </cp>
</poml>
