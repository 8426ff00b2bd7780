<poml>
  <include src="files/latin1.poml"/>
</poml>
