<poml>
  <schema name="s">
    <module name="step">
      <param name="n"/>
      <param name="text"/>
      <p>Step {{ n }}: {{ text }}</p>
    </module>
  </schema>
  <p>Follow these steps.</p>
  <use for="s in steps" module="step" n="{{ loop.index }}" text="{{ s }}"/>
  <use for="i in [1, 2]" if="i > 1" module="step" n="{{ i * 10 }}" text="done"/>
</poml>
