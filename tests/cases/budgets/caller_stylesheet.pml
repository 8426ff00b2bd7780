<poml>
  <role>You are a support agent.</role>
  <p>Customer note: the parcel arrived two weeks late and the box was damaged on one side.</p>
  <p class="keep">Order 1042, shipped on 3 March.</p>
</poml>
