<poml>
  <schema name="travel">
    <module name="trip">
      <param name="city"/>
      <p>Plan a trip to {{ city }}.</p>
      <module name="food">
        <p>Suggest food.</p>
      </module>
      <module name="museums">
        <p>List museums.</p>
      </module>
    </module>
  </schema>
  <use module="trip" city="Rome">
    <use module="fod"/>
  </use>
</poml>
