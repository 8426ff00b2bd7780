<cp caption="Notes">
  <list><item>one</item><item>two</item></list>
</cp>
