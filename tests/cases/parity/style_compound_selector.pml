<poml>
  <list className="imp"><item>compound</item></list>
  <list><item>plain</item></list>
</poml>
