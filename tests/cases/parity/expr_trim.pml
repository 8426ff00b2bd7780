<poml>
  <p>[{{ ('  ' + t + '  ').trim() }}]</p>
</poml>
