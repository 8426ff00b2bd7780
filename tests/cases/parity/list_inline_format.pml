<poml>
  <list>
    <item><b>Name</b>: the user name</item>
    <item><code>id</code>: a number</item>
  </list>
</poml>
