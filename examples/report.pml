<!-- Structured output: the same content written as XML for the model, with data from the
     context as an object, and a conditional section. -->
<poml syntax="xml">
  <role>Financial analyst</role>
  <task>Summarise the quarter for the board.</task>
  <cp caption="Figures" captionSerialized="figures">
    <object data="{{ figures }}"/>
  </cp>
  <cp caption="Risks" captionSerialized="risks" if="risks.length > 0">
    <list>
      <item for="risk in risks">{{ risk }}</item>
    </list>
  </cp>
</poml>
