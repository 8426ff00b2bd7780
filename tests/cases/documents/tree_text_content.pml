<poml>
  <tree items="{{ tree }}" syntax="text" showContent="true"/>
</poml>
