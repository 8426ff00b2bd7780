<poml>
  <p>Instructions for the model.</p>
  <tool-request id="t1" name="lookup" parameters='{"q": "pml"}'/>
  <p>More instructions.</p>
  <tool-response id="t1" name="lookup"><obj data="{{ result }}"/></tool-response>
  <p>Final words.</p>
</poml>
