<poml>
  <p tokenLimit="4" truncateDirection="middle" truncateMarker="…">one two three four five six</p>
  <p charLimit="11" truncateDirection="middle" truncateMarker="…">one two three four five six</p>
  <p charLimit="9" truncateDirection="middle" truncateMarker="…">abcdefghijklmnopqrstuvwxyz</p>
</poml>
