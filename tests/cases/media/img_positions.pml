<poml>
  <human-msg>
    <img src="blue.jpg" position="top"/>
    <p>What colour is the image above?</p>
    <img src="red.png" position="bottom"/>
  </human-msg>
</poml>