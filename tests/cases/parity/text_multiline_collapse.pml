<poml>
  <p>This sentence
     is split over
     three lines.</p>
</poml>
