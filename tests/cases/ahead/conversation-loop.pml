<poml>
  <system-msg>Continue the conversation.</system-msg>
  <section for="turn in turns">
    <human-msg>{{ turn.q }}</human-msg>
    <ai-msg>{{ turn.a }}</ai-msg>
  </section>
  <human-msg>{{ question }}</human-msg>
</poml>
