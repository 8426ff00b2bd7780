<poml>
  <p>Write <code>a #lt; b #amp;#amp; c</code>.</p>
</poml>
