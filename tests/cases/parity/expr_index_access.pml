<poml>
  <p>{{ list[1] }} {{ map['key'] }} {{ map.key }}</p>
</poml>
