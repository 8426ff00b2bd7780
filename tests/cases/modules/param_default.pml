<poml>
  <schema name="s">
    <module name="tone">
      <param name="style" default="friendly"/>
      <param name="length" default="short"/>
      <p>Be {{ style }} and keep it {{ length }}.</p>
    </module>
  </schema>
  <use module="tone"/>
  <use module="tone" style="formal"/>
  <use module="tone" length="long" style="dry"/>
</poml>
