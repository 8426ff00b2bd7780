<poml>
  <stylesheet>{ p: {"speaker": "ai"} }</stylesheet>
  <p>x</p>
</poml>
