<poml>
  <tree items="{{ tree }}" syntax="yaml" showContent="true"/>
</poml>
