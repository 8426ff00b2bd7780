<poml>
  <text>Hi {{ who }}!</text>
  <p>Regards.</p>
</poml>
