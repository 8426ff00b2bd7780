<poml>
  <cp caption="Background">The project started in 2020.</cp>
</poml>
