<poml>
  <p><p><p><p><p><p><p><p><p><p>
  <p><p><p><p><p><p><p><p><p><p>
  <p><p><p><p><p><p><p><p><p><p>
  <p><p><p><p><p><p><p><p><p><p>
  <p><p><p><p><p><p><p><p><p><p>
  <p><p><p><p><p><p><p><p><p><p>
  <include src="include_too_deep_part.poml"/>
  </p></p></p></p></p></p></p></p></p></p>
  </p></p></p></p></p></p></p></p></p></p>
  </p></p></p></p></p></p></p></p></p></p>
  </p></p></p></p></p></p></p></p></p></p>
  </p></p></p></p></p></p></p></p></p></p>
  </p></p></p></p></p></p></p></p></p></p>
</poml>
