<poml>
  <folder src="{{ name }}"/>
</poml>
