<poml>
  <p>   lots    of     spaces   here   </p>
</poml>
