<poml>
  <let name="n" type="integer">5</let>
  <p>{{ n * 2 }}</p>
</poml>
