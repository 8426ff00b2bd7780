<poml>
  <p>&#1; and &#xD800; and &#1114112; and &#65; are numeric entities</p>
</poml>
