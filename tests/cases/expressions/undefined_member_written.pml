<poml>
  <p>Hello {{ user.nickname }}</p>
</poml>
