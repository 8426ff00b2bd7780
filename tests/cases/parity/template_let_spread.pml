<poml>
  <let>{"first": "Grace", "last": "Hopper"}</let>
  <p>{{ first }} {{ last }}</p>
</poml>
