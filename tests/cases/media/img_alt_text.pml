<poml>
  <p>Look at the picture.</p>
  <img src="red.png" alt="A red rectangle."/>
</poml>