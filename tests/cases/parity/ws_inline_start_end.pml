<poml>
  <p><b>Start</b> middle <i>end</i></p>
</poml>
