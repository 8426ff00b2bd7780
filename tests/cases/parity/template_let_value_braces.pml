<poml>
  <let name="n" value="{{ 2 + 3 }}"/>
  <p>n = {{ n }}</p>
</poml>
