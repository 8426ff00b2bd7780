<p>First top-level paragraph.</p>
<p>Second top-level paragraph.</p>
