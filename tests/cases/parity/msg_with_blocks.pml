<poml>
  <human-msg>
    <p>Please review:</p>
    <list><item>item one</item><item>item two</item></list>
  </human-msg>
</poml>
