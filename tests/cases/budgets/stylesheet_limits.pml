<poml>
  <style>
    .excerpt { token-limit: 8; truncate-marker: " [...]" }
    .log { token-limit: 6; truncate-direction: start }
  </style>
  <task>Answer from the excerpt and the log below.</task>
  <p class="excerpt">The committee met on Tuesday to review the budget for the coming year and agreed on most items.</p>
  <p class="log">Log: started, loaded, parsed, validated, then failed at step nine with a timeout.</p>
  <p>This paragraph has no class, so no limit.</p>
</poml>
