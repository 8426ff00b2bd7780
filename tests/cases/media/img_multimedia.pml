<poml>
  <task>Describe the image.</task>
  <human-msg>
    <p>Here it is:</p>
    <img src="red.png" syntax="multimedia" alt="A red rectangle."/>
    <p>Be brief.</p>
  </human-msg>
</poml>