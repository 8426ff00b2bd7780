<poml>
  <p>Proofread the text below.</p>
  <document>
Dear team,
    the launch moves to   Friday.
  </document>
</poml>
