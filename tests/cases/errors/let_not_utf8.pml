<poml>
  <let name="notes" src="files/latin1.txt"/>
  <p>{{ notes }}</p>
</poml>
