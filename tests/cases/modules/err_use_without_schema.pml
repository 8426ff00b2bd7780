<poml>
  <p>Hi</p>
  <use module="nothing"/>
  <param name="loose"/>
</poml>
