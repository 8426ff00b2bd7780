<poml>
  <p whiteSpace="trim">
    trim only   the ends
    inside stays
  </p>
</poml>
