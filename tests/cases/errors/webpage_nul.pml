<poml>
  <webpage src="{{ 'page' + nul + '.html' }}"/>
</poml>
