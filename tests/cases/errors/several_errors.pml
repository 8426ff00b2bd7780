<poml>
  <p blankLine="maybe">x</p>
  <taks>y</taks>
  <qa speaker="user">z</qa>
</poml>
