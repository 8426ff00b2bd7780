<poml>
  <p>Paragraph with


  blank lines inside.</p>


  <p>Next.</p>
</poml>
