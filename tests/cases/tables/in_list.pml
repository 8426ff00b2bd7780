<poml>
  <list>
    <item>First table:
      <table records="{{ grid }}"/>
    </item>
    <item>Done.</item>
  </list>
</poml>
