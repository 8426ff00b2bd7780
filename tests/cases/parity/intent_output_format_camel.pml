<poml>
  <OutputFormat>Answer in one sentence.</OutputFormat>
</poml>
