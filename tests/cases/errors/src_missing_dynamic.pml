<poml>
  <table src="{{ 'data/' + name }}"/>
</poml>
