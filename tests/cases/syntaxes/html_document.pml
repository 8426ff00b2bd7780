<poml syntax="html">
  <role>You are <b>kind</b> &amp; brief.</role>
  <task>Do this:
    <list listStyle="decimal">
      <item>one</item>
      <item>two <code>x &lt; y</code>
        <list><item>deep</item></list>
      </item>
    </list>
  </task>
  <hint>Be short.</hint>
  <cp caption="Code"><code inline="false" lang="py">if a &lt; b:
    print(a)</code></cp>
  <p>Plain <i>para</i> with {{ value }}.</p>
</poml>