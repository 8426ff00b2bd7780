<poml>
  <schema name="shop">
    <module name="policy">
      <p>Refunds within 30 days.</p>
    </module>
  </schema>
  <p>Start.</p>
  <use module="policy"/>
  <use module="shop.policy"/>
  <p>End.</p>
</poml>
