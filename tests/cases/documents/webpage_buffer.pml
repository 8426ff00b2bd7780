<poml>
  <webpage buffer="{{ html }}"/>
</poml>
