<poml>
  <let name="secret" src="../../../../../etc/hostname"/>
  <p>{{ secret }}</p>
</poml>
