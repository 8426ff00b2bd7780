<poml>
  <list tokenLimit="15">
    <item for="x in ['alpha one', 'beta two', 'gamma three', 'delta four', 'epsilon five']" priority="{{ loop.index }}">{{ x }} is an item</item>
  </list>
</poml>
