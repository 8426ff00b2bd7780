<poml>
  <p>Hello {{ user.nickname || user.name }}, from {{ user?.address?.city ?? 'somewhere' }}.</p>
  <p if="user.nickname">Never shown: the user has no nickname.</p>
  <p if="typeof user.age === 'number'">Age {{ user.age }}, {{ 2 ** 3 ** 2 }} points.</p>
  <list>
    <item for="task in tasks.filter(t => t.done !== undefined)">{{ `${task.title}: ${task.done ? 'done' : 'open'}` }}</item>
  </list>
  <p>{{ tasks.map(t => t.owner?.name ?? '-').join(', ') }}</p>
</poml>
