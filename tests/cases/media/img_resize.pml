<poml>
  <p>Shrink it.</p>
  <img src="red.png" maxWidth="10"/>
</poml>