<poml>
	<p>tab	separated	words</p>
</poml>
