<poml>
  <schema name="s">
    <module name="facts" cache="true">
      <param name="city"/>
      <p>City: {{ city }}</p>
      <list>
        <item>museums</item>
      </list>
    </module>
  </schema>
  <use module="facts" city="Rome"/>
  <use module="facts" city="Rome" syntax="json"/>
  <use module="facts" city="Rome"/>
</poml>
