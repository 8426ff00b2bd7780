<poml>
  <schema name="tasks">
    <union>
      <module name="summarize">
        <p>Summarize the text.</p>
      </module>
      <module name="translate">
        <param name="lang"/>
        <p>Translate the text into {{ lang }}.</p>
      </module>
    </union>
    <module name="assistant">
      <union default="plain">
        <module name="plain"><p>Plain answers.</p></module>
        <module name="fancy"><p>Fancy answers.</p></module>
      </union>
    </module>
  </schema>
  <use module="summarize" if="mode == 'summary'"/>
  <use module="translate" if="mode != 'summary'" lang="German"/>
  <use module="assistant">
    <use module="plain" if="mode == 'summary'"/>
    <use module="fancy" if="mode != 'summary'"/>
  </use>
</poml>
