<poml>
  <document src="{{ name }}"/>
</poml>
