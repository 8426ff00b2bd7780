<poml tokenLimit="32">
  <system-msg priority="100">You answer arithmetic questions in one word.</system-msg>
  <div for="turn in history" priority="{{ loop.index }}">
    <human-msg>{{ turn.question }}</human-msg>
    <ai-msg>{{ turn.answer }}</ai-msg>
  </div>
  <human-msg priority="100">{{ question }}</human-msg>
</poml>
