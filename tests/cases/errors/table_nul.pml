<poml>
  <table src="{{ 'orders' + nul + '.csv' }}"/>
</poml>
