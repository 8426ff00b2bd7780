<poml>
  <schema name="travel">
    <module name="trip">
      <param name="city"/>
      <p>Plan a trip to {{ city }}.</p>
      <module name="museums">
        <param name="kind" default="art"/>
        <p>List {{ kind }} museums in {{ city }}.</p>
        <module name="hours">
          <p>Give opening hours for {{ city }}.</p>
        </module>
      </module>
    </module>
  </schema>
  <use module="trip.museums" city="Rome"/>
  <use module="travel.trip.museums" city="Bern" kind="science">
    <use module="hours"/>
  </use>
  <use module="trip.museums.hours" city="Graz"/>
</poml>
