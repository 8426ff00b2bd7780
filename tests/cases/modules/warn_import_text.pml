<poml>
  <import src="lib/noisy.poml" as="n"/>
  <use module="n.tip"/>
</poml>
