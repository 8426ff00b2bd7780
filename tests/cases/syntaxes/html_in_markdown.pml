<poml>
  <p>Intro</p>
  <section syntax="html"><list><item>a</item><item>b</item></list></section>
</poml>