<poml>
  <p>Say <b>hello</b>, then <i>wave</i>!</p>
</poml>
