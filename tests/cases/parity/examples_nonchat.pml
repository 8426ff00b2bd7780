<poml>
  <task>Classify the sentiment.</task>
  <examples chat="false">
    <example>
      <input>I love it!</input>
      <output>positive</output>
    </example>
    <example>
      <input>Terrible.</input>
      <output>negative</output>
    </example>
  </examples>
</poml>
