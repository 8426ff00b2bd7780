<!-- A module library (imported by ../travel.pml): the agency's booking policy and destination
     guides, as cached modules that render once and are reused by every request. -->
<pml>
<schema name="travel">
  <module name="policy" cache="true">
    <param name="agency" default="Northwind Travel"/>
    <role>You are the booking assistant of {{ agency }}, a travel agency. You help travellers plan trips,
    compare options and book them through the agency's tools.</role>
    <let name="rules" src="policy.json"/>
    <section>
      <h>Booking policy</h>
      <list listStyle="decimal"><item for="rule in rules">{{ rule }}</item></list>
    </section>
  </module>
  <module name="guide" cache="true">
    <section>
      <h>Destination notes</h>
      <union default="lisbon">
        <module name="lisbon">Lisbon: trams 28 and 15 are crowded from 10:00; the Lisboa Card covers transport
          and most museums. Many museums close on Mondays. Restaurants open for dinner from 19:30.</module>
        <module name="kyoto">Kyoto: buses are slow at peak times, so prefer the subway and the JR lines. Temples
          open early (around 08:30) and close by 17:00. Reserve kaiseki dinners a few days ahead.</module>
      </union>
    </section>
  </module>
</schema>
</pml>
