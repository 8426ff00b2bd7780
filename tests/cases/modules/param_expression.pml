<poml>
  <schema name="s">
    <module name="order">
      <param name="item"/>
      <param name="count" default="1"/>
      <p>Order {{ count }} × {{ item }}.</p>
    </module>
  </schema>
  <use module="order" item="{{ product.name }}" count="{{ product.qty + 1 }}"/>
  <use module="order" item="tea for {{ user }}"/>
  <use module="order" item="{{ product.name | upper }}" count="{{ product.qty * 10 }}"/>
</poml>
