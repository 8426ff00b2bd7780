<poml>
  <cp caption="Deadline">Friday</cp>
  <cp caption="Owner">Sam</cp>
</poml>
