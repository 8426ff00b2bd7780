<poml><p>Use <code>a`b</code> here.</p><code inline="false">```
nested fence
```</code></poml>