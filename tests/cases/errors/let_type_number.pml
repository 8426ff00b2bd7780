<poml>
  <let name="a" type="{{ 1 }}">1</let>
</poml>
