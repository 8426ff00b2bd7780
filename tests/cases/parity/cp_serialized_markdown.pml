<poml>
  <cp caption="Next Steps" captionSerialized="nextSteps">
    <p>captionSerialized only matters for serializers.</p>
  </cp>
</poml>
