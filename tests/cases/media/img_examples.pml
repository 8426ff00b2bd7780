<poml>
  <example><input><img src="red.png"/></input><output>red</output></example>
  <input><img src="blue.jpg"/></input>
</poml>