<poml>
  <system-msg>You answer questions about orders. Be brief.</system-msg>
  <human-msg>
    <p>My name is {{ name }}.</p>
    <p>Where is order {{ order }}?</p>
  </human-msg>
  <ai-msg>Order {{ order }} left the warehouse on {{ day }}.</ai-msg>
  <human-msg>Thanks!</human-msg>
</poml>
