<poml>
  <let name="total" value="price * 3"/>
  <p>Total: {{ total }}</p>
</poml>
