<poml>
  <p>Tags: {{ tags.join(', ') }}</p>
</poml>
