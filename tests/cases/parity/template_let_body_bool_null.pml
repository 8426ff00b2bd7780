<poml>
  <let name="flag">true</let>
  <let name="nothing">null</let>
  <p if="flag">flag is set</p>
  <p if="nothing === null">nothing is null</p>
</poml>
