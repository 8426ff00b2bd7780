<poml>
  <p>{{ user.nmae }}</p>
</poml>
