<poml>
  <schema name="travel">
    <module name="trip">
      <param name="city"/>
      <p>Plan a trip to {{ city }}.</p>
      <module name="food">
        <param name="diet" default="anything"/>
        <p>Suggest restaurants in {{ city }} for {{ diet }}.</p>
      </module>
      <module name="museums">
        <p>List museums in {{ city }}.</p>
        <module name="hours">
          <p>Give opening hours.</p>
        </module>
      </module>
      <p>Keep it brief.</p>
    </module>
  </schema>
  <use module="trip" city="Tokyo"/>
  <use module="trip" city="Lima">
    <use module="food" diet="vegans"/>
    <use module="museums">
      <use module="hours"/>
    </use>
  </use>
</poml>
