<poml>
  <p syntax="json" tokenLimit="5">{"a": 1, "b": "a longer value that goes on and on"}</p>
  <p>After.</p>
</poml>
