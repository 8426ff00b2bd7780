<poml>
  <p for="x in xs">{{ x }}</p>
  <let name="doubled" value="xs.map(x => x * 2)"/>
  <p>{{ doubled.join(' ') }}</p>
</poml>
