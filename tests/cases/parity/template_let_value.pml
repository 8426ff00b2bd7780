<poml>
  <let name="greeting" value="'Hello'"/>
  <p>{{ greeting }}, world.</p>
</poml>
