<poml>
  <tree items="{{ tree }}"/>
</poml>
