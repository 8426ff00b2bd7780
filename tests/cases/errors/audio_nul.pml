<poml>
  <audio src="{{ 'clip' + nul + '.mp3' }}"/>
</poml>
