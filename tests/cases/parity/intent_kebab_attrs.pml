<poml>
  <cp caption="kebab" caption-style="bold" caption-text-transform="upper">Attr names in kebab case.</cp>
  <list list-style="decimal"><item>x</item></list>
</poml>
