<poml>
  <cp caption="Note" captionStyle="bold"><p>Shipping is free.</p><p>Returns too.</p></cp>
</poml>
