<poml>
  <schema name="chat">
    <module name="ask">
      <param name="topic"/>
      <p>Tell me about {{ topic }}.</p>
    </module>
    <module name="answer">
      <param name="topic"/>
      <p>{{ topic }} is a big subject.</p>
    </module>
  </schema>
  <system-msg>You are helpful.</system-msg>
  <human-msg>
    <use module="ask" topic="owls"/>
  </human-msg>
  <ai-msg>
    <use module="answer" topic="Owls"/>
  </ai-msg>
  <human-msg><p>Thanks.</p><use module="ask" topic="bats"/></human-msg>
</poml>
