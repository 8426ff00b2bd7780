<poml>
  <list className="x"><item>class x</item></list>
  <list className="x" listStyle="decimal"><item>inline wins</item></list>
  <list><item>type rule</item></list>
</poml>
