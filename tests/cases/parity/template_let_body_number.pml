<poml>
  <let name="n">41</let>
  <p>{{ n + 1 }}</p>
</poml>
