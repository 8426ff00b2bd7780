<poml>
  <cp caption="Budget">
    <table src="budget.xlsx"/>
  </cp>
</poml>
