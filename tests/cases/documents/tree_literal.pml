<poml>
  <tree items='[{"name": "docs", "children": [{"name": "intro.md"}]}, {"name": "setup.py"}]'/>
</poml>
