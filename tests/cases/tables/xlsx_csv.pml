<poml>
  <cp caption="Budget">
    <table src="budget.xlsx" syntax="csv"/>
  </cp>
</poml>
