<poml>
  <p>word <b> bold </b> word</p>
</poml>
