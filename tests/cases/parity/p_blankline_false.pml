<poml>
  <p blankLine="false">Line one.</p>
  <p blankLine="false">Line two.</p>
  <p>Line three.</p>
</poml>
