<poml>
  <p>Alpha <span>beta</span> gamma.</p>
</poml>
