<poml>
  <cp caption="Rules">
    <p>Follow these rules.</p>
    <cp caption="Style">Be concise.</cp>
    <cp caption="Safety">
      <cp caption="Details">No personal data.</cp>
    </cp>
  </cp>
</poml>
