<poml>
  <folder src="{{ 'files' + nul }}"/>
</poml>
