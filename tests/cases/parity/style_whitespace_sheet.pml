<poml>
  <p className="verbatim">keep   this
  spacing</p>
</poml>
