<poml>
  <table tokenLimit="30" records="{{ [{'name': 'Ada', 'role': 'engineer'}, {'name': 'Grace', 'role': 'admiral'}, {'name': 'Linus', 'role': 'maintainer'}, {'name': 'Barbara', 'role': 'professor'}, {'name': 'Ken', 'role': 'researcher'}] }}"/>
</poml>
