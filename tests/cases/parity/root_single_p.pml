<p>A single paragraph as the root.</p>
