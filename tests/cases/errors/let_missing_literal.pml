<poml>
  <let name="notes" src="files/latin.txt"/>
  <p>{{ notes }}</p>
</poml>
