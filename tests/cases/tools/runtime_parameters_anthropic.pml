<poml>
  <p>Write a haiku about {{ topic }}.</p>
  <runtime model="gpt-4o" temperature="0.7" top-p="0.9" top-k="40" max-tokens="100" seed="{{ seed }}" presence-penalty="-0.5" stream="false" user="abc"/>
</poml>
