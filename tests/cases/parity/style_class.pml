<poml>
  <list className="steps"><item>mix</item><item>bake</item></list>
  <list><item>plain</item></list>
</poml>
