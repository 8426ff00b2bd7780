<poml>
  <schema name="s">
    <module name="tone">
      <param name="style" default="friendly"/>
      <param name="length" default="short"/>
      <p>Be {{ style }}, keep it {{ length }}.</p>
    </module>
  </schema>
  <use module="tone" styel="formal"/>
</poml>
