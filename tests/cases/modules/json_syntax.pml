<poml>
  <schema name="s">
    <module name="facts">
      <param name="city"/>
      <p>City: {{ city }}</p>
      <list>
        <item>museums</item>
        <item>parks</item>
      </list>
    </module>
  </schema>
  <use module="facts" city="Rome" syntax="json"/>
  <section syntax="json">
    <use module="facts" city="Oslo"/>
  </section>
  <use module="facts" city="Bern"/>
</poml>
