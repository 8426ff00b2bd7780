<poml>
  <p>Intro</p>
  <item>stray</item>
</poml>
