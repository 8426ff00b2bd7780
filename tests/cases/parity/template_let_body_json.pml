<poml>
  <let name="user">{"name": "Dana", "age": 30}</let>
  <p>{{ user.name }} is {{ user.age }}.</p>
</poml>
