<poml>
  <cp caption="Address">221B Baker Street<br/>London</cp>
</poml>
