<poml>
  <schema name="tasks">
    <union>
      <module name="summarize">
        <p>Summarize the text.</p>
      </module>
      <module name="translate">
        <p>Translate the text.</p>
      </module>
    </union>
  </schema>
  <use module="summarize" if="short"/>
  <use module="translate" if="foreign"/>
</poml>
