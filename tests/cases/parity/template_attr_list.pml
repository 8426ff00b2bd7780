<poml>
  <let name="copy" value="msgs"/>
  <conversation messages="{{ copy }}"/>
</poml>
