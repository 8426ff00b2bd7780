<poml>
  <p>A file saved with a byte-order mark and Windows line ends.</p>
</poml>
