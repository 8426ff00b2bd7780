<poml>
  <schema name="s">
    <module name="guide">
      <param name="topic"/>
      <cp caption="Guide to {{ topic }}">
        <p>Read carefully.</p>
        <cp caption="Details">
          <p>More about {{ topic }}.</p>
        </cp>
      </cp>
    </module>
  </schema>
  <use module="guide" topic="tides"/>
  <cp caption="Appendix">
    <p>Reference material.</p>
    <use module="guide" topic="winds"/>
  </cp>
  <section>
    <section>
      <use module="guide" topic="clouds"/>
    </section>
  </section>
</poml>
