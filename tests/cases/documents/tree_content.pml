<poml>
  <tree items="{{ tree }}" showContent="true"/>
</poml>
