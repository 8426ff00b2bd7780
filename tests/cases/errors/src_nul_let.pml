<poml>
  <let name="data" src="{{ name }}"/>
  <p>{{ data }}</p>
</poml>
