<poml>
  <p>History:</p>
  <conversation messages="{{ msgs }}"/>
</poml>
