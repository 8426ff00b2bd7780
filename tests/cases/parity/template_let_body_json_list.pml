<poml>
  <let name="colors">["red", "green", "blue"]</let>
  <list><item for="c in colors">{{ c }}</item></list>
</poml>
