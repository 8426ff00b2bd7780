<poml>
  <schema name="s">
    <module name="profile">
      <param name="label" default="User"/>
      <p>{{ label }}: {{ user.name }} ({{ user.plan }} plan)</p>
      <list>
        <item for="f in user.features">{{ f }}</item>
      </list>
    </module>
  </schema>
  <let name="greeting" value="'Hi ' + user.name"/>
  <use module="profile"/>
  <use module="profile" label="{{ greeting }}"/>
</poml>
