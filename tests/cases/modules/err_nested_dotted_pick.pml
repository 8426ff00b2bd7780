<poml>
  <schema name="travel">
    <module name="trip">
      <param name="city"/>
      <p>Trip to {{ city }}.</p>
      <module name="museums">
        <p>Museums.</p>
        <module name="hours"><p>Open 9 to 5.</p></module>
      </module>
    </module>
  </schema>
  <use module="trip" city="Oslo"><use module="museums.hours"/></use>
</poml>
